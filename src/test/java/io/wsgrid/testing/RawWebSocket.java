package io.wsgrid.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A WebSocket client on a plain blocking socket, for tests that need control a real client library
 * hides: a peer that stops reading (small receive buffer, never read), hand-made frames.
 */
public final class RawWebSocket implements AutoCloseable {
  private final Socket socket;
  private final OutputStream out;
  private final InputStream in;
  private String head = "";

  private RawWebSocket(Socket socket) throws IOException {
    this.socket = socket;
    this.out = socket.getOutputStream();
    this.in = socket.getInputStream();
  }

  /** Opens the TCP connection with the given receive buffer and completes the upgrade. */
  public static RawWebSocket connect(String host, int port, String path, int receiveBuffer)
      throws IOException {
    return connect(host, port, path, receiveBuffer, new String[0]);
  }

  /**
   * Opens the TCP connection and completes the upgrade with extra header lines ("Name: value"),
   * e.g. {@code Sec-WebSocket-Extensions: permessage-deflate}; {@link #head} is the 101 answer.
   */
  public static RawWebSocket connect(
      String host, int port, String path, int receiveBuffer, String... headers) throws IOException {
    Socket socket = new Socket();
    socket.setReceiveBufferSize(receiveBuffer);
    socket.setTcpNoDelay(true);
    socket.connect(new InetSocketAddress(host, port), 5000);
    socket.setSoTimeout(15_000);
    RawWebSocket ws = new RawWebSocket(socket);
    byte[] nonce = new byte[16];
    ThreadLocalRandom.current().nextBytes(nonce);
    String request =
        "GET "
            + path
            + " HTTP/1.1\r\nHost: "
            + host
            + ":"
            + port
            + "\r\nUpgrade: websocket\r\n"
            + "Connection: Upgrade\r\nSec-WebSocket-Key: "
            + Base64.getEncoder().encodeToString(nonce)
            + "\r\nSec-WebSocket-Version: 13\r\n"
            + (headers.length == 0 ? "" : String.join("\r\n", headers) + "\r\n")
            + "\r\n";
    ws.out.write(request.getBytes(StandardCharsets.US_ASCII));
    ws.out.flush();
    String head = ws.readHead();
    if (!head.startsWith("HTTP/1.1 101"))
      throw new IOException("upgrade refused: " + head.lines().findFirst().orElse(""));
    ws.head = head;
    return ws;
  }

  /** The head of the server's 101 answer (status line and headers). */
  public String head() {
    return head;
  }

  /** The HTTP answer to an upgrade that was refused (or 101 with an empty body). */
  public record Answer(int status, String head, String body) {}

  /**
   * Sends one upgrade request for {@code target} (path and query) with extra header lines ("Name:
   * value") and returns the status, head and body the server answered with.
   */
  public static Answer upgrade(String host, int port, String target, String... headers)
      throws IOException {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(host, port), 5000);
      socket.setSoTimeout(15_000);
      RawWebSocket ws = new RawWebSocket(socket);
      StringBuilder request =
          new StringBuilder(
              "GET "
                  + target
                  + " HTTP/1.1\r\nHost: "
                  + host
                  + ":"
                  + port
                  + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n");
      for (String header : headers) request.append(header).append("\r\n");
      ws.out.write(request.append("\r\n").toString().getBytes(StandardCharsets.US_ASCII));
      ws.out.flush();
      String head = ws.readHead();
      int status = Integer.parseInt(head.substring(9, 12));
      Matcher length = Pattern.compile("(?i)content-length: *(\\d+)").matcher(head);
      String body =
          length.find()
              ? new String(
                  ws.in.readNBytes(Integer.parseInt(length.group(1))), StandardCharsets.UTF_8)
              : "";
      return new Answer(status, head, body);
    }
  }

  private String readHead() throws IOException {
    StringBuilder head = new StringBuilder();
    while (!head.toString().endsWith("\r\n\r\n")) {
      int b = in.read();
      if (b < 0) throw new IOException("connection closed during the handshake: " + head);
      head.append((char) b);
    }
    return head.toString();
  }

  /** Sends one masked frame (client frames must be masked), in one write. */
  public void sendFrame(int opcode, boolean fin, byte[] payload) throws IOException {
    ByteArrayOutputStream frame = new ByteArrayOutputStream(payload.length + 14);
    frame.write((fin ? 0x80 : 0) | opcode);
    int length = payload.length;
    if (length < 126) {
      frame.write(0x80 | length);
    } else if (length < 65536) {
      frame.write(0x80 | 126);
      frame.write(length >>> 8);
      frame.write(length);
    } else {
      frame.write(0x80 | 127);
      for (int shift = 56; shift >= 0; shift -= 8) frame.write((int) ((long) length >>> shift));
    }
    byte[] mask = new byte[4];
    ThreadLocalRandom.current().nextBytes(mask);
    frame.write(mask);
    byte[] masked = new byte[length];
    for (int i = 0; i < length; i++) masked[i] = (byte) (payload[i] ^ mask[i & 3]);
    frame.write(masked);
    out.write(frame.toByteArray());
    out.flush();
  }

  /**
   * Writes bytes as they are: frames a client library would never send (unmasked, reserved bits).
   */
  public void sendRaw(byte[] bytes) throws IOException {
    out.write(bytes);
    out.flush();
  }

  public void setReadTimeout(int millis) throws IOException {
    socket.setSoTimeout(millis);
  }

  public void sendText(String text) throws IOException {
    sendFrame(0x1, true, text.getBytes(StandardCharsets.UTF_8));
  }

  /** Reads one whole frame: {opcode, payload}. */
  public Frame readFrame() throws IOException {
    int b0 = readByte();
    int b1 = readByte();
    long length = b1 & 0x7f;
    if (length == 126) length = (readByte() << 8) | readByte();
    else if (length == 127) {
      length = 0;
      for (int i = 0; i < 8; i++) length = (length << 8) | readByte();
    }
    byte[] payload = in.readNBytes((int) length);
    return new Frame(b0 & 0x0f, (b0 & 0x80) != 0, payload);
  }

  private int readByte() throws IOException {
    int b = in.read();
    if (b < 0) throw new IOException("connection closed");
    return b;
  }

  /** Reads frames until a close frame or EOF; returns its code, or -1 at EOF without one. */
  public int readUntilClose() {
    try {
      while (true) {
        Frame frame = readFrame();
        if (frame.opcode() == 0x8)
          return frame.payload().length >= 2
              ? ((frame.payload()[0] & 0xff) << 8) | (frame.payload()[1] & 0xff)
              : 1005;
      }
    } catch (IOException e) {
      return -1;
    }
  }

  public boolean isClosedByPeer() {
    return socket.isClosed();
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }

  /** One frame read off the wire. */
  public record Frame(int opcode, boolean fin, byte[] payload) {
    public String text() {
      return new String(payload, StandardCharsets.UTF_8);
    }
  }
}
