package io.pipeline.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class PartitionProgressTest {
    private final PartitionProgress progress = new PartitionProgress();

    @Test
    void handled_outOfOrder_commitsOnlyUpToLowestUnfinishedOffset() {
        var r10 = progress.emitted(10);
        var r11 = progress.emitted(11);
        var r12 = progress.emitted(12);
        var r13 = progress.emitted(13);

        progress.handled(r12);
        progress.handled(r13);
        assertThat(progress.toCommit()).isEqualTo(-1);
        assertThat(progress.unfinished()).isEqualTo(2);

        progress.handled(r10);
        assertThat(progress.toCommit()).isEqualTo(11); // 11 is still in flight

        progress.handled(r11);
        assertThat(progress.toCommit()).isEqualTo(14);
        assertThat(progress.unfinished()).isZero();
    }

    @Test
    void toCommit_afterCommitted_hasNothingNewUntilMoreIsHandled() {
        var r0 = progress.emitted(0);
        var r1 = progress.emitted(1);
        progress.handled(r0);
        progress.committed(progress.toCommit());

        assertThat(progress.toCommit()).isEqualTo(-1);
        progress.handled(r1);
        assertThat(progress.toCommit()).isEqualTo(2);
    }

    @Test
    void handled_withGapsInOffsets_commitsPastTheGap() {
        var r5 = progress.emitted(5);
        var r9 = progress.emitted(9); // 6..8 were compacted away or were transaction markers
        progress.handled(r9);
        assertThat(progress.toCommit()).isEqualTo(-1);
        progress.handled(r5);
        assertThat(progress.toCommit()).isEqualTo(10);
    }

    @Test
    void handled_twice_countsOnce() {
        var r0 = progress.emitted(0);
        progress.emitted(1);
        progress.handled(r0);
        progress.handled(r0);
        assertThat(progress.unfinished()).isEqualTo(1);
        assertThat(progress.toCommit()).isEqualTo(1);
    }

    @Test
    void emitted_offsetNotAboveTheLast_throwsNamingIt() {
        progress.emitted(7);
        assertThatThrownBy(() -> progress.emitted(7)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("offset 7");
        var r7 = progress.emitted(8);
        assertThat(r7.offset).isEqualTo(8);
    }

    @Test
    void emitted_belowWhatWasAlreadyHandled_throws() {
        progress.handled(progress.emitted(3));
        assertThatThrownBy(() -> progress.emitted(2)).isInstanceOf(IllegalArgumentException.class);
    }
}
