package io.switchboard.common.http;

import io.switchboard.common.config.ConfigKey;
import io.switchboard.common.config.ConfigKeys;
import io.switchboard.common.node.NodeContext;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;
import jdk.jfr.Configuration;
import jdk.jfr.Recording;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /admin/profile?seconds=N} (docs/operations.md, Profiles on demand): records this node's JVM with JFR's
 * {@code profile} settings for N seconds and answers the recording ({@code application/octet-stream}, a {@code .jfr}
 * file for JDK Mission Control or {@code jfr print}). One recording at a time per node: a request while one runs gets
 * 409 {@code PROFILE_RUNNING}. Off unless {@code admin.profiling.enabled}: 404 {@code PROFILING_DISABLED} saying how
 * to turn it on. {@code seconds} outside 1..{@code admin.profiling.maxSeconds} (or missing) gets 400
 * {@code INVALID_QUERY} naming {@code seconds}.
 * <p>
 * Starting, stopping and writing the recording run as blocking tasks; the wait between is a timer, so no event loop
 * waits. A client that goes away ends its recording early. The recording's file is deleted once sent.
 */
public final class ProfileRoutes {
  private static final Logger LOG = LoggerFactory.getLogger(ProfileRoutes.class);
  public static final String PATH = "/admin/profile";
  /** The JFR settings used: sampling of CPU, allocation and lock events at the profiling rates. */
  static final String JFR_SETTINGS = "profile";

  private final ProfilingSettings settings;
  private final String nodeName;
  /** Accounting: whether a recording runs on this node; set by the request that starts one, cleared when it ends. */
  private final AtomicBoolean running = new AtomicBoolean();

  private ProfileRoutes(ProfilingSettings settings, String nodeName) {
    this.settings = settings;
    this.nodeName = nodeName;
  }

  public static void mount(Router router, NodeContext node) {
    ProfileRoutes routes = new ProfileRoutes(ProfilingSettings.from(node.config()), node.identity().name());
    router.post(PATH).handler(routes::profile);
  }

  private void profile(RoutingContext ctx) {
    if (!settings.enabled()) {
      Http.error(ctx, 404, HttpErrors.PROFILING_DISABLED, "profiling is off on this node: set "
          + ConfigKeys.ADMIN_PROFILING_ENABLED + "=true (env " + ConfigKey.envName(ConfigKeys.ADMIN_PROFILING_ENABLED)
          + ") to serve POST " + PATH);
      return;
    }
    Integer seconds = seconds(ctx);
    if (seconds == null) {
      return;
    }
    if (!running.compareAndSet(false, true)) {
      Http.error(ctx, 409, HttpErrors.PROFILE_RUNNING,
          "a profile is being recorded on this node already; one runs at a time, ask again when it has ended");
      return;
    }
    new Session(ctx, seconds).start();
  }

  /** The {@code seconds} parameter, or null after answering 400 naming it. */
  private Integer seconds(RoutingContext ctx) {
    String v = ctx.queryParams().get("seconds");
    String range = "seconds must be an integer from 1 to " + settings.maxSeconds() + " ("
        + ConfigKeys.ADMIN_PROFILING_MAX_SECONDS + ")";
    if (v == null) {
      Http.error(ctx, ApiError.invalid(HttpErrors.INVALID_QUERY, "seconds", range + "; it is missing"));
      return null;
    }
    try {
      int n = Integer.parseInt(v.trim());
      if (n >= 1 && n <= settings.maxSeconds()) {
        return n;
      }
    } catch (NumberFormatException e) {
      // answered below
    }
    Http.error(ctx, ApiError.invalid(HttpErrors.INVALID_QUERY, "seconds",
        range + ", not '" + ApiError.excerpt(v, 32) + "'"));
    return null;
  }

  /**
   * One request's recording. Its fields are touched on the request's context only (blocking tasks return there);
   * {@link #finish} runs once, whether the time is up or the client went away.
   */
  private final class Session {
    private final RoutingContext ctx;
    private final Vertx vertx;
    private final int seconds;
    private Recording recording;
    private long timer = -1;
    private boolean finished;

    Session(RoutingContext ctx, int seconds) {
      this.ctx = ctx;
      this.vertx = ctx.vertx();
      this.seconds = seconds;
    }

    void start() {
      ctx.response().closeHandler(v -> finish(false));
      vertx.executeBlocking(() -> {
        Recording r = new Recording(Configuration.getConfiguration(JFR_SETTINGS));
        r.setName("switchboard-profile");
        r.setToDisk(true);
        r.start();
        return r;
      }, false).onComplete(ar -> {
        if (ar.failed()) {
          failed(ar.cause());
          return;
        }
        recording = ar.result();
        if (finished) {
          // the client left while the recording started
          closeRecording();
          return;
        }
        LOG.info("recording a {} s profile", seconds);
        timer = vertx.setTimer(seconds * 1000L, t -> finish(true));
      });
    }

    /** Ends the recording; with {@code send}, writes it to a file and answers it, else drops it. */
    private void finish(boolean send) {
      if (finished) {
        return;
      }
      finished = true;
      vertx.cancelTimer(timer);
      if (recording == null) {
        return; // still starting: the start's completion closes it
      }
      if (!send || ctx.response().closed()) {
        closeRecording();
        return;
      }
      vertx.executeBlocking(() -> {
        Path file = Files.createTempFile("switchboard-profile-", ".jfr");
        try {
          recording.stop();
          recording.dump(file);
        } catch (IOException | RuntimeException e) {
          Files.deleteIfExists(file);
          throw e;
        } finally {
          recording.close();
        }
        return file;
      }, false).onComplete(ar -> {
        if (ar.failed()) {
          failed(ar.cause());
          return;
        }
        Path file = ar.result();
        ctx.response().putHeader("content-type", "application/octet-stream")
            .putHeader("content-disposition", "attachment; filename=\"" + fileName() + "\"")
            .sendFile(file.toString())
            .onComplete(sent -> delete(file));
      });
    }

    private void closeRecording() {
      Recording r = recording;
      vertx.executeBlocking(() -> {
        if (r != null) {
          r.close();
        }
        return null;
      }, false).onComplete(ar -> running.set(false));
    }

    private void delete(Path file) {
      vertx.executeBlocking(() -> Files.deleteIfExists(file), false).onComplete(ar -> {
        running.set(false);
        if (ar.failed()) {
          LOG.warn("the profile file {} could not be deleted", file, ar.cause());
        }
      });
    }

    private void failed(Throwable cause) {
      finished = true;
      LOG.warn("the profile could not be recorded", cause);
      closeRecording();
      Http.error(ctx, 500, "the profile could not be recorded; the node logged the details");
    }

    private String fileName() {
      return nodeName.replaceAll("[^A-Za-z0-9._-]", "_") + "-" + System.currentTimeMillis() + ".jfr";
    }
  }
}
