/**
 * Outputs that end a pipeline by appending to files: {@link io.pipeline.sources.output.CsvOutput} and
 * {@link io.pipeline.sources.output.JsonLinesOutput}. Both write every row whole and repair a row cut short by a
 * crash when the file is reopened, so a restarted pipeline can keep appending to the same file.
 */
package io.pipeline.sources.output;
