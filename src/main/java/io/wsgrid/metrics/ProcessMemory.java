package io.wsgrid.metrics;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * {@code process_resident_memory_bytes}: the process's resident set size, what the operating system
 * actually gives it (heap, direct buffers, thread stacks, code), read from {@code
 * /proc/self/statm}. JVM metrics only show the heap; memory per socket is judged on this one. NaN
 * where there is no /proc.
 */
public final class ProcessMemory {
  private static final Path STATM = Path.of("/proc/self/statm");
  private static final long PAGE = 4096;

  private ProcessMemory() {}

  public static void register(MeterRegistry registry) {
    Gauge.builder(MeterNames.PROCESS_RESIDENT_MEMORY, ProcessMemory::residentBytes)
        .baseUnit("bytes")
        .description("resident set size of the process")
        .register(registry);
  }

  static double residentBytes() {
    try {
      String[] fields = Files.readString(STATM).trim().split("\\s+");
      return Long.parseLong(fields[1]) * PAGE;
    } catch (IOException | RuntimeException e) {
      return Double.NaN;
    }
  }
}
