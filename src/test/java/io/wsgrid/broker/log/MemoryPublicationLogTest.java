package io.wsgrid.broker.log;

/** The contract against the in-memory log. */
class MemoryPublicationLogTest extends PublicationLogContract {
  private final MemoryPublicationLog log = new MemoryPublicationLog(8, clock, IDLE_MILLIS);

  @Override
  protected PublicationLog log() {
    return log;
  }
}
