package io.pipeline.kafka;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** A {@link GroupMember} running in a JVM of its own, on this JVM's class path. */
final class MemberProcess implements AutoCloseable {
    /** One line of a member's output. */
    record Line(int partition, long offset, String key, int value, long micros) {}

    final String name;
    final Path output;
    final Path log;
    private final Process process;

    private MemberProcess(String name, Path output, Path log, Process process) {
        this.name = name;
        this.output = output;
        this.log = log;
        this.process = process;
    }

    /** Starts a member and waits (bounded) until it says it is ready. */
    static MemberProcess start(String name, Path dir, String servers, String topic, String group,
                               long handleMicros, int managers) throws Exception {
        Path output = dir.resolve(name + ".out");
        Path log = dir.resolve(name + ".log");
        Files.createFile(output);
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-cp", System.getProperty("java.class.path"),
                GroupMember.class.getName(),
                servers, topic, group, output.toString(), Long.toString(handleMicros), Integer.toString(managers)));
        Process process = new ProcessBuilder(command)
                .redirectError(log.toFile())
                .start();
        MemberProcess member = new MemberProcess(name, output, log, process);
        CompletableFuture<String> ready = CompletableFuture.supplyAsync(() -> {
            try {
                return new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))
                        .readLine();
            } catch (IOException e) {
                return e.toString();
            }
        });
        try {
            String first = ready.get(60, TimeUnit.SECONDS);
            if (!"ready".equals(first)) {
                throw new AssertionError(name + " did not start: " + first + "\n" + member.logText());
            }
        } catch (Exception | AssertionError e) {
            member.kill();
            throw e;
        }
        return member;
    }

    long pid() {
        return process.pid();
    }

    /** Dies at once, like {@code kill -9}. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    /** Asks the member to stop gracefully (closes its standard input) and returns its exit code. */
    int stop() throws Exception {
        process.getOutputStream().close();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError(name + " did not stop within 60 s\n" + logText());
        }
        return process.exitValue();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    List<Line> lines() throws IOException {
        List<Line> lines = new ArrayList<>();
        for (String text : Files.readAllLines(output, StandardCharsets.UTF_8)) {
            String[] parts = text.split(" ");
            if (parts.length == 5 && !parts[4].isEmpty()) { // a half line left by kill -9 is no handled record
                lines.add(new Line(Integer.parseInt(parts[0]), Long.parseLong(parts[1]), parts[2],
                        Integer.parseInt(parts[3]), Long.parseLong(parts[4])));
            }
        }
        return lines;
    }

    long lineCount() throws IOException {
        try (var stream = Files.lines(output, StandardCharsets.UTF_8)) {
            return stream.count();
        }
    }

    String logText() {
        try {
            return Files.readString(log, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            kill();
        }
    }
}
