/**
 * Runnable programs that show the library at work end to end.
 */
package io.pipeline.examples;
