/**
 * The stock ticker of the aiopype README, as a runnable program: {@link io.pipeline.examples.stock.YahooRestSource}
 * polls a quote API in Yahoo Finance's v8 chart format, {@link io.pipeline.examples.stock.HandleRawData} extracts a
 * {@link io.pipeline.examples.stock.Quote}, a shared {@link io.pipeline.sources.output.CsvOutput} writes it, one
 * {@link io.pipeline.examples.stock.YahooManager} per symbol wires them, and
 * {@link io.pipeline.examples.stock.StockTicker} runs the managers in a {@link io.pipeline.core.Flow}.
 *
 * <pre>
 * java -jar pipeline-examples/target/stock-ticker.jar --symbol AAPL,MSFT --interval 2s
 * </pre>
 */
package io.pipeline.examples.stock;
