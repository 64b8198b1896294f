/**
 * The README's "Live analytics" example: a weather poller, parsed into readings, deduplicated, with a rolling
 * mean, z-score anomalies and a threshold alert with hysteresis, written as JSON lines.
 */
package io.pipeline.examples.analytics;
