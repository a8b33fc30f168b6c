package io.switchboard.hub.session;

import io.switchboard.common.auth.Authority;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.json.JsonObject;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;

/**
 * Where a HAIP session's credential is (docs/haip.md, Authentication): the HAI's {@code auth.token}, or
 * {@code auth.Authorization}, or {@code auth} itself as a string; failing those, the upgrade request's
 * {@code Authorization} header or {@code access_token} query parameter. "Bearer " is optional. Pure.
 */
public final class HaiCredential {
  private HaiCredential() {}

  /** The credential a HAI's {@code auth} value carries, or null. */
  public static String of(Object auth) {
    String raw = null;
    if (auth instanceof String s) {
      raw = s;
    } else if (auth instanceof JsonObject o) {
      Object t = o.getValue("token");
      if (!(t instanceof String)) {
        t = o.getValue("Authorization");
      }
      if (!(t instanceof String)) {
        t = o.getValue("authorization");
      }
      raw = t instanceof String s ? s : null;
    }
    return Authority.stripBearer(raw);
  }

  /** The credential of a WebSocket's upgrade request: its Authorization header, else its access_token parameter. */
  public static String ofUpgrade(ServerWebSocket ws) {
    String h = ws.headers() == null ? null : ws.headers().get("Authorization");
    if (h != null && !h.isBlank()) {
      return Authority.stripBearer(h);
    }
    String q = ws.query();
    if (q == null) {
      return null;
    }
    for (String pair : q.split("&")) {
      if (pair.startsWith("access_token=")) {
        try {
          return Authority.stripBearer(URLDecoder.decode(pair.substring(13), StandardCharsets.UTF_8));
        } catch (IllegalArgumentException e) {
          return null;
        }
      }
    }
    return null;
  }
}
