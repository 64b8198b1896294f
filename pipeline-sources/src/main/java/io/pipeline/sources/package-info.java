/**
 * Connectors that feed a pipeline from real services and write its results: polling REST, WebSocket and
 * Server-Sent Events sources, and file outputs.
 */
package io.pipeline.sources;
