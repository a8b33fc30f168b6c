package io.switchboard.common.http;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.PemKeyCertOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;

/**
 * A PEM certificate file and key file as read at one moment: their contents and what identifies that version
 * (modification time and size of each), so a later look can tell whether either changed. Immutable.
 */
public record PemPair(Path certPath, Path keyPath, Stamp stamp, Buffer cert, Buffer key) {
  /** The modification times and sizes of the two files. */
  public record Stamp(FileTime certModified, long certSize, FileTime keyModified, long keySize) {
    public static Stamp of(Path cert, Path key) throws IOException {
      return new Stamp(Files.getLastModifiedTime(cert), Files.size(cert), Files.getLastModifiedTime(key), Files.size(key));
    }
  }

  /** Reads both files now. */
  public static PemPair read(Path cert, Path key) throws IOException {
    Stamp before = Stamp.of(cert, key);
    return new PemPair(cert, key, before, Buffer.buffer(Files.readAllBytes(cert)), Buffer.buffer(Files.readAllBytes(key)));
  }

  /** Key and certificate as Vert.x options holding the contents (never the paths, so nothing is cached by name). */
  public PemKeyCertOptions options() {
    return new PemKeyCertOptions().setCertValue(cert).setKeyValue(key);
  }
}
