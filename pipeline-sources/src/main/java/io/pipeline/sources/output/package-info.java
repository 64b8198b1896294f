/**
 * Outputs that end a pipeline by appending to files: {@link io.pipeline.sources.output.CsvOutput} and
 * {@link io.pipeline.sources.output.JsonLinesOutput}. Both write every row whole and repair a row cut short by a
 * crash when the file is reopened, so a restarted pipeline can keep appending to the same file; both lock the file
 * (one writer per file, across processes too). When rows reach the operating system is their
 * {@link io.pipeline.sources.output.Durability} — group commit by default — set through
 * {@link io.pipeline.sources.output.OutputOptions}.
 */
package io.pipeline.sources.output;
