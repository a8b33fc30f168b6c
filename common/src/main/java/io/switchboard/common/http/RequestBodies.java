package io.switchboard.common.http;

import io.vertx.core.Handler;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.util.List;
import java.util.Locale;

/**
 * The rules for request bodies of state-changing requests, applied before any route (docs/operations.md, "Running it
 * in the open"):
 * <ul>
 *   <li>POST, PUT and PATCH must say {@code Content-Type: application/json} (a charset parameter is fine), with or
 *       without a body; a DELETE must when it carries a body. Anything else is 415
 *       {@link HttpErrors#UNSUPPORTED_MEDIA_TYPE}: a page on another site can send {@code text/plain} or form bodies
 *       without a CORS preflight, but not JSON.</li>
 *   <li>The body is read by Vert.x's {@link BodyHandler} with a limit of {@code http.maxBodyBytes}; over it the router
 *       answers 413 {@link HttpErrors#BODY_TOO_LARGE}.</li>
 * </ul>
 * Paths under an exempt prefix (the SockJS bridge, whose XHR transport posts its own frames as text and bounds them
 * itself) are passed on untouched. Other requests are passed on untouched.
 */
public final class RequestBodies implements Handler<RoutingContext> {
  private final BodyHandler body;
  private final List<String> exemptPrefixes;

  public RequestBodies(long maxBodyBytes, List<String> exemptPrefixes) {
    this.body = BodyHandler.create(false).setBodyLimit(maxBodyBytes);
    this.exemptPrefixes = List.copyOf(exemptPrefixes);
  }

  @Override
  public void handle(RoutingContext ctx) {
    HttpServerRequest req = ctx.request();
    HttpMethod m = req.method();
    boolean alwaysJson = m == HttpMethod.POST || m == HttpMethod.PUT || m == HttpMethod.PATCH;
    if (!alwaysJson && !(m == HttpMethod.DELETE && hasBody(req)) || exempt(req.path())) {
      ctx.next();
      return;
    }
    if (!isJson(req.getHeader(HttpHeaders.CONTENT_TYPE))) {
      String given = req.getHeader(HttpHeaders.CONTENT_TYPE);
      Http.error(ctx, 415, HttpErrors.UNSUPPORTED_MEDIA_TYPE, m.name() + " requests take Content-Type: application/json"
          + (given == null ? ", and this one has no Content-Type" : ", not '" + ApiError.excerpt(given, 100) + "'"));
      return;
    }
    body.handle(ctx);
  }

  private boolean exempt(String path) {
    if (path == null) {
      return false;
    }
    for (String p : exemptPrefixes) {
      if (path.startsWith(p)) {
        return true;
      }
    }
    return false;
  }

  private static boolean hasBody(HttpServerRequest req) {
    String length = req.getHeader(HttpHeaders.CONTENT_LENGTH);
    return (length != null && !length.trim().equals("0")) || req.getHeader(HttpHeaders.TRANSFER_ENCODING) != null;
  }

  /** {@code application/json}, any case, optionally followed by parameters such as a charset. */
  static boolean isJson(String contentType) {
    if (contentType == null) {
      return false;
    }
    int semi = contentType.indexOf(';');
    String type = (semi < 0 ? contentType : contentType.substring(0, semi)).trim().toLowerCase(Locale.ROOT);
    return type.equals("application/json");
  }
}
