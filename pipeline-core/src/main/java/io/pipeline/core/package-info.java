/**
 * The engine of a pipeline: typed {@link io.pipeline.core.Event events}, {@link io.pipeline.core.Processor
 * processors} that emit and listen to them, {@link io.pipeline.core.Source sources} that start a pipeline,
 * {@link io.pipeline.core.Manager managers} that wire one, and the {@link io.pipeline.core.Flow flow} that runs and
 * supervises managers. Messages travel through a {@link io.pipeline.core.MessageHandler}: the
 * {@link io.pipeline.core.SyncDispatcher} or the {@link io.pipeline.core.AsyncDispatcher}. What a flow counts is
 * one {@link io.pipeline.core.FlowMetrics} snapshot away ({@link io.pipeline.core.Flow#metrics()}), also over JMX;
 * its stall watchdog watches sources that declare {@link io.pipeline.core.Source#expectedInterval()}.
 *
 * <p>This package has no dependencies beyond the JDK.
 */
package io.pipeline.core;
