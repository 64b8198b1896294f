/**
 * Operators and live analytics for pipelines: stateless steps (map, filter, flatMap, merge), windows, rolling
 * statistics, EWMA, trends, anomaly detection, threshold and staleness alerts, dedup and throttling.
 *
 * <p>Every operator is an ordinary {@link io.pipeline.core.Processor}: wire it with {@code on}/{@code emit} by
 * hand, or let {@link io.pipeline.operators.Operators} create and name a chain of them inside a
 * {@link io.pipeline.core.Manager}. Stateful operators keep their state in
 * {@link io.pipeline.core.RetainedState} so that it survives a manager restart, unless
 * {@link io.pipeline.operators.OperatorOptions#withFreshState()} says otherwise.
 */
package io.pipeline.operators;
