package io.pipeline.kafka;

import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * The progress of every partition assigned to one consumer, keyed by partition. Partitions come and go with
 * rebalances; a completion for a partition that was revoked meanwhile finds its progress no longer in the book and
 * changes nothing.
 *
 * <p>Not thread-safe: owned by the source's poll thread.
 */
final class OffsetBook {
    private final Map<TopicPartition, PartitionProgress> partitions = new LinkedHashMap<>();

    /** Starts tracking {@code assigned} afresh. */
    void assign(Collection<TopicPartition> assigned) {
        for (TopicPartition partition : assigned) {
            partitions.put(partition, new PartitionProgress());
        }
    }

    /** Stops tracking {@code revoked}. */
    void remove(Collection<TopicPartition> revoked) {
        for (TopicPartition partition : revoked) {
            partitions.remove(partition);
        }
    }

    /** The progress of {@code partition}, or {@code null} when it is not assigned. */
    PartitionProgress get(TopicPartition partition) {
        return partitions.get(partition);
    }

    /** Whether {@code partition} is assigned. */
    boolean contains(TopicPartition partition) {
        return partitions.containsKey(partition);
    }

    /** The assigned partitions. */
    Collection<TopicPartition> assigned() {
        return partitions.keySet();
    }

    /** Records emitted and not handled yet, over every assigned partition. */
    int unfinished() {
        int total = 0;
        for (PartitionProgress progress : partitions.values()) {
            total += progress.unfinished();
        }
        return total;
    }

    /** Records emitted and not handled yet, over {@code some} of the assigned partitions. */
    int unfinished(Collection<TopicPartition> some) {
        int total = 0;
        for (TopicPartition partition : some) {
            PartitionProgress progress = partitions.get(partition);
            if (progress != null) {
                total += progress.unfinished();
            }
        }
        return total;
    }

    /** The offsets to commit now (each the lowest unhandled offset of its partition), for every assigned partition. */
    Map<TopicPartition, OffsetAndMetadata> toCommit() {
        return toCommit(partitions.keySet());
    }

    /** The offsets to commit now for {@code some} of the assigned partitions. */
    Map<TopicPartition, OffsetAndMetadata> toCommit(Collection<TopicPartition> some) {
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        for (TopicPartition partition : some) {
            PartitionProgress progress = partitions.get(partition);
            if (progress != null && progress.toCommit() >= 0) {
                offsets.put(partition, new OffsetAndMetadata(progress.toCommit()));
            }
        }
        return offsets;
    }

    /** Records that {@code offsets} were committed. */
    void committed(Map<TopicPartition, OffsetAndMetadata> offsets) {
        offsets.forEach((partition, offset) -> {
            PartitionProgress progress = partitions.get(partition);
            if (progress != null) {
                progress.committed(offset.offset());
            }
        });
    }
}
