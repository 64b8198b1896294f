/**
 * A Micrometer binding for a pipeline {@link io.pipeline.core.Flow}: {@link io.pipeline.micrometer.FlowMeterBinder}.
 */
package io.pipeline.micrometer;
