package io.switchboard.common.config;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Every configuration key Switchboard knows, with its default. {@code docs/configuration.md} lists the same
 * keys (a test keeps the two in step). A key that is not declared here is refused at start-up, so a typo in
 * YAML cannot be silently ignored.
 */
public final class ConfigKeys {
  private ConfigKeys() {}

  private static final Map<String, ConfigKey> KEYS = new LinkedHashMap<>();

  private static String key(String path, ConfigType type, Object def, String description) {
    return add(new ConfigKey(path, type, def, false, List.of(), null, null, description));
  }

  private static String intKey(String path, long def, long min, long max, String description) {
    return add(new ConfigKey(path, ConfigType.INT, def, false, List.of(), (double) min, (double) max, description));
  }

  private static String duration(String path, String def, String description) {
    return add(new ConfigKey(path, ConfigType.DURATION, def, false, List.of(), 0d, null, description));
  }

  private static String secret(String path, ConfigType type, Object def, String description) {
    return add(new ConfigKey(path, type, def, true, List.of(), null, null, description));
  }

  private static String enumKey(String path, String def, List<String> allowed, String description) {
    return add(new ConfigKey(path, ConfigType.ENUM, def, false, allowed, null, null, description));
  }

  private static String add(ConfigKey k) {
    if (KEYS.put(k.path(), k) != null) {
      throw new IllegalStateException("duplicate config key " + k.path());
    }
    return k.path();
  }

  // ---- node ---------------------------------------------------------------------------------------------
  public static final String SERVICES = add(new ConfigKey("services", ConfigType.LIST, "hub,stats,alert", false,
      List.of("hub", "stats", "alert"), null, null, "Roles this node runs: any comma list of hub, stats, alert."));
  public static final String NODE_NAME = key("node.name", ConfigType.STRING, "",
      "Operator-facing node name; empty means host name plus HTTP port.");
  public static final String HTTP_HOST = key("http.host", ConfigType.STRING, "0.0.0.0", "Address the HTTP server binds.");
  public static final String HTTP_INSTANCES = intKey("http.instances", 0, 0, 256,
      "HTTP server instances, each on its own event loop; 0 means one per core.");
  public static final String HTTP_PORT = intKey("http.port", 8080, 0, 65535, "HTTP port (read API, probes, metrics, WebSockets). 0 picks a free port.");
  public static final String HTTP_IDLE_TIMEOUT = duration("http.idleTimeout", "60s",
      "An HTTP connection with nothing read or written for this long is closed; 0 means never. WebSockets are exempt (hub.idleTimeout and hub.monitor.idleTimeout govern them).");
  public static final String HTTP_REQUEST_HEADER_TIMEOUT = duration("http.requestHeaderTimeout", "10s",
      "A connection must deliver a complete request head within this long after it opened, and after each response on a kept-alive connection; else it is closed (counted as REQUEST_HEADER_TIMEOUT unless a kept-alive connection simply sent nothing more). 0 means no deadline.");

  public static final String HTTP_ALLOWED_ORIGINS = key("http.allowedOrigins", ConfigType.LIST, "",
      "Browser origins (scheme://host[:port]) that may call the node and open WebSockets. Empty: only the node's own origin (the Origin's host and port equal the Host header). Set: exactly these, the node's own public origin included only if listed (this also shuts out DNS rebinding). A request or upgrade from any other origin is refused with 403 ORIGIN_REFUSED; only listed origins get CORS headers. Requests without an Origin header (non-browser clients) are not affected (docs/operations.md, Running it in the open).");
  public static final String HTTP_MAX_BODY_BYTES = add(new ConfigKey("http.maxBodyBytes", ConfigType.BYTES, "64KiB", false,
      List.of(), 1d, (double) Integer.MAX_VALUE, "Largest request body a POST, PUT, PATCH or DELETE may carry; larger is refused with 413 BODY_TOO_LARGE."));
  public static final String HTTP_TLS_CERT_PATH = key("http.tls.certPath", ConfigType.STRING, "",
      "PEM certificate chain of the HTTP server; with http.tls.keyPath set, HTTP and WebSockets are served over TLS only (https, wss). Empty means plain HTTP.");
  public static final String HTTP_TLS_KEY_PATH = key("http.tls.keyPath", ConfigType.STRING, "",
      "PEM private key (PKCS#8 or PKCS#1) of http.tls.certPath.");
  public static final String HTTP_TLS_RELOAD_INTERVAL = duration("http.tls.reloadInterval", "30s",
      "How often the node checks the TLS key and certificate files for a change (modification time or size) and serves the new pair to new connections; 0 means never.");

  // ---- cluster ------------------------------------------------------------------------------------------
  public static final String CLUSTER_MODE = enumKey("cluster.mode", "loopback",
      List.of("loopback", "tcp", "multicast", "kubernetes", "none"),
      "How nodes find each other: loopback (TCP-IP join on 127.0.0.1), tcp (cluster.members), multicast, kubernetes (headless Service), none (not clustered).");
  public static final String CLUSTER_NAME = key("cluster.name", ConfigType.STRING, "switchboard",
      "Hazelcast cluster name; only nodes with the same name join each other.");
  public static final String CLUSTER_HOST = key("cluster.host", ConfigType.STRING, "127.0.0.1",
      "The one interface Hazelcast and the event bus listen on (loopback mode always uses 127.0.0.1; 0.0.0.0 means every interface).");
  public static final String CLUSTER_PUBLIC_HOST = key("cluster.publicHost", ConfigType.STRING, "",
      "Address other nodes use to reach this one (the pod IP on Kubernetes); empty means cluster.host.");
  public static final String CLUSTER_PORT = intKey("cluster.port", 5701, 1, 65535, "First Hazelcast member port.");
  public static final String CLUSTER_PORT_COUNT = intKey("cluster.portCount", 20, 1, 1000,
      "How many ports from cluster.port a member may take, and loopback join probes.");
  public static final String CLUSTER_MEMBERS = key("cluster.members", ConfigType.LIST, "",
      "tcp mode: member addresses (host or host:port), comma separated.");
  public static final String CLUSTER_MULTICAST_GROUP = key("cluster.multicast.group", ConfigType.STRING, "224.2.2.3",
      "multicast mode: the group address.");
  public static final String CLUSTER_MULTICAST_PORT = intKey("cluster.multicast.port", 54327, 1, 65535,
      "multicast mode: the group port.");
  public static final String CLUSTER_K8S_SERVICE = key("cluster.kubernetes.serviceName", ConfigType.STRING, "switchboard-cluster",
      "kubernetes mode: the headless Service whose endpoints are the members.");
  public static final String CLUSTER_K8S_NAMESPACE = key("cluster.kubernetes.namespace", ConfigType.STRING, "",
      "kubernetes mode: namespace of that Service; empty means the pod's own.");
  public static final String CLUSTER_HEARTBEAT = duration("cluster.heartbeatInterval", "1s",
      "Hazelcast heartbeat interval.");
  public static final String CLUSTER_MEMBER_TIMEOUT = duration("cluster.memberTimeout", "5s",
      "A member silent this long is removed from the cluster.");
  public static final String CLUSTER_MERGE_DELAY = duration("cluster.mergeDelay", "10s",
      "Delay before (and between) split-brain merge attempts, so a paused member rejoins quickly.");
  public static final String CLUSTER_GRACEFUL_WAIT = duration("cluster.gracefulShutdownWait", "5s",
      "Longest a leaving member waits for its partitions to migrate.");
  public static final String EVENTBUS_PORT = intKey("eventBus.port", 0, 0, 65535, "Event-bus TCP port; 0 picks a free one.");
  public static final String EVENTBUS_TLS_CERT_PATH = key("eventBus.tls.certPath", ConfigType.STRING, "",
      "PEM certificate chain this node presents on the event bus, signed by eventBus.tls.trustPath's CA. With eventBus.tls.keyPath and eventBus.tls.trustPath set, the event bus between nodes runs mutual TLS: a process without a certificate of that CA can neither send to nor receive from the nodes, even when it joins Hazelcast. All three or none.");
  public static final String EVENTBUS_TLS_KEY_PATH = key("eventBus.tls.keyPath", ConfigType.STRING, "",
      "PEM private key (PKCS#8 or PKCS#1) of eventBus.tls.certPath.");
  public static final String EVENTBUS_TLS_TRUST_PATH = key("eventBus.tls.trustPath", ConfigType.STRING, "",
      "PEM certificate(s) of the cluster's CA: the only issuer whose certificates the event bus accepts, from servers and from clients.");

  // ---- shutdown -----------------------------------------------------------------------------------------
  public static final String SHUTDOWN_DRAIN_DELAY = duration("shutdown.drainDelay", "2s",
      "After SIGTERM, readiness answers 503 at once; open WebSockets are closed (1001) after this delay.");
  public static final String SHUTDOWN_TIMEOUT = duration("shutdown.timeout", "7s",
      "Hard limit for the whole graceful stop, drain included.");

  // ---- logging ------------------------------------------------------------------------------------------
  public static final String LOG_FORMAT = enumKey("log.format", "json", List.of("json", "text"),
      "json: one JSON object per line; text: human-readable lines.");
  public static final String LOG_LEVEL = key("log.level", ConfigType.STRING, "info,com.hazelcast=warn,com.hazelcast.internal.cluster=info",
      "Root level, then optional per-package levels: info,io.switchboard.hub=debug.");
  public static final String LOG_MASKED_FIELDS = key("log.maskedFields", ConfigType.LIST,
      "password,token,secret,key,authorization",
      "Field names whose values are masked in every log line (plain fields, nested JSON, query strings). Matched case-insensitively as part of a name.");
  public static final String LOG_ACCESS = key("log.accessLog", ConfigType.BOOLEAN, true, "One log line per HTTP request and per WebSocket upgrade (logger io.switchboard.access); false silences that logger.");
  public static final String LOG_FILE_PATH = key("log.file.path", ConfigType.STRING, "",
      "Also write the log lines (same format, same masking) to this file, rolled by size and time; empty means stdout only. Ignored when -Dlogback.configurationFile is given (docs/operations.md, Logs).");
  public static final String LOG_FILE_MAX_FILE_SIZE = add(new ConfigKey("log.file.maxFileSize", ConfigType.BYTES, "100MiB", false,
      List.of(), 1024d, null, "The log file is rolled (archived as <path>.<date>.<n>.gz) when it reaches this size."));
  public static final String LOG_FILE_PERIOD = enumKey("log.file.period", "daily", List.of("daily", "hourly"),
      "The log file is also rolled at the start of each day or hour (UTC); the archive's name carries the period.");
  public static final String LOG_FILE_MAX_HISTORY = intKey("log.file.maxHistory", 7, 0, 100_000,
      "Periods (days or hours) of archives kept; older ones are deleted. 0 keeps every period.");
  public static final String LOG_FILE_TOTAL_SIZE_CAP = add(new ConfigKey("log.file.totalSizeCap", ConfigType.BYTES, "1GiB", false,
      List.of(), 0d, null, "Archives together are kept below this size, the oldest deleted first; 0 means no cap."));

  // ---- tracing ------------------------------------------------------------------------------------------
  public static final String TRACING_ENABLED = key("tracing.enabled", ConfigType.BOOLEAN, true,
      "OpenTelemetry tracing: spans for sessions, transactions, event-bus hops, HTTP requests, stats queries and alert evaluations; a client's traceparent is joined and passed on to the agent; JSON log lines carry trace_id and span_id. Spans are exported only when an OTLP endpoint is set (OTEL_EXPORTER_OTLP_ENDPOINT); false: no spans, no trace ids, no traceparent to agents.");
  public static final String TRACING_SAMPLE_RATIO = add(new ConfigKey("tracing.sampleRatio", ConfigType.DOUBLE, 0.1, false,
      List.of(), 0d, 1d, "Share of traces recorded and exported, decided from the trace id (the same on every node): for traces a node starts and for sampled traces it joins; a client's not-sampled traceparent is never recorded. OTEL_TRACES_SAMPLER, when set, replaces this."));

  // ---- metrics and stats --------------------------------------------------------------------------------
  public static final String METRICS_ENABLED = key("metrics.enabled", ConfigType.BOOLEAN, true,
      "Prometheus metrics at /metrics (JVM, process, Vert.x, Switchboard).");
  public static final String METRICS_EVENT_LOOP_DELAY_INTERVAL = duration("metrics.eventLoopDelayInterval", "1s",
      "How often a task on each event loop measures how late it ran (switchboard_eventloop_delay_seconds{loop}); 0 means not measured.");
  public static final String VERTX_BLOCKED_THREAD_CHECK_INTERVAL = add(new ConfigKey("vertx.blockedThreadCheckInterval",
      ConfigType.DURATION, "2s", false, List.of(), 10d, null,
      "How often Vert.x checks whether an event loop has been running one task for longer than vertx.maxEventLoopExecuteTime (a warning, counted in switchboard_eventloop_blocked_total)."));
  public static final String VERTX_MAX_EVENT_LOOP_EXECUTE_TIME = add(new ConfigKey("vertx.maxEventLoopExecuteTime",
      ConfigType.DURATION, "2s", false, List.of(), 1d, null,
      "One task holding an event loop longer than this is reported as a blocked thread."));
  public static final String STATS_INTERVAL = duration("stats.interval", "1s",
      "How often every node reports to the stats service, and the stats service publishes cluster stats.");
  public static final String STATS_WINDOW = duration("stats.window", "10s",
      "Sliding window for rates, error rate and latency percentiles.");
  public static final String STATS_STALE_INTERVALS = intKey("stats.staleAfterIntervals", 3, 1, 1000,
      "A node silent for this many intervals is marked stale and left out of live gauges.");
  public static final String STATS_REPORTING = key("stats.reporting", ConfigType.BOOLEAN, true,
      "Whether this node publishes NodeReports (off only for benchmarks of the observability cost).");
  public static final String STATS_DOWN_RETENTION = duration("stats.downRetention", "5m",
      "How long a node that went stale or left the cluster without a graceful stop stays in downNodes (unless a node of the same name reports again).");
  public static final String HEALTH_REQUIRED_ROLES = add(new ConfigKey("health.requiredRoles", ConfigType.LIST,
      "hub,stats,alert", false, List.of("hub", "stats", "alert"), null, null,
      "Roles that each need a ready member for GET /health/cluster to be UP or DEGRADED; with one missing it is DOWN (503)."));

  // ---- hub ----------------------------------------------------------------------------------------------
  public static final String HUB_MAX_CONNECTIONS = intKey("hub.maxConnections", 10_000, 1, 10_000_000,
      "WebSocket upgrades beyond this many open sessions per node are refused with HTTP 503.");
  public static final String HUB_MAX_MESSAGE_BYTES = add(new ConfigKey("hub.maxMessageBytes", ConfigType.BYTES, "1MiB", false,
      List.of(), 256d, (double) Integer.MAX_VALUE, "Largest reassembled WebSocket message; larger gets MESSAGE_TOO_LARGE and close 1009."));
  public static final String HUB_RATE_LIMIT = intKey("hub.rateLimit", 200, 1, 10_000_000,
      "Messages per second a session may send; above it frames get RATE_LIMITED and are not processed.");
  public static final String HUB_RATE_LIMIT_CLOSE_AFTER = intKey("hub.rateLimitCloseAfter", 100, 1, 10_000_000,
      "Refused frames within one second after which the session is closed with 1008.");
  public static final String HUB_MAX_TX = intKey("hub.maxTransactionsPerSession", 100, 1, 100_000,
      "Open transactions a session may hold; beyond it RUN_LIMIT_EXCEEDED.");
  public static final String HUB_EXECUTION_TIMEOUT = duration("hub.execution.timeout", "5m",
      "An execution older than this fails with EXECUTION_TIMEOUT.");
  public static final String HUB_COMPRESSION = key("hub.compression", ConfigType.BOOLEAN, false,
      "Accept permessage-deflate (costs well over 100 KB per socket).");
  public static final String HUB_WRITE_QUEUE_BYTES = add(new ConfigKey("hub.writeQueueMaxBytes", ConfigType.BYTES, "1MiB", false,
      List.of(), 1024d, null, "Bytes a socket's write queue may hold before the session counts as a slow consumer."));
  public static final String HUB_SLOW_CONSUMER_GRACE = duration("hub.slowConsumerGrace", "5s",
      "How long the write queue may stay full before SLOW_CONSUMER and close 1008.");
  public static final String HUB_PING_INTERVAL = duration("hub.pingInterval", "30s",
      "WebSocket ping control frames on /haip this often.");
  public static final String HUB_IDLE_TIMEOUT = duration("hub.idleTimeout", "60s",
      "A /haip socket with no frame at all (pongs included) for this long is closed.");
  public static final String HUB_AUTH_TOKENS = secret("hub.auth.tokens", ConfigType.LIST, "",
      "Static client tokens (the simple mode; docs/operations.md, Authentication): if set, a HAI must carry a credential (auth.token, one of these with or without 'Bearer ', or a JWT, or an admin or agent token); else FAILED_AUTH. One of these opens /haip as a client (and agent when hub.auth.agentTokens is empty) and /ws as a monitor of every tool.");
  public static final String HUB_AUTH_AGENT_TOKENS = secret("hub.auth.agentTokens", ConfigType.LIST, "",
      "Static agent tokens: if set, only a HAI whose credential is one of these (or a JWT or admin token with the agent role) may offer tools.");
  public static final String HUB_REPLAY_MAX_FRAMES = intKey("hub.replay.maxFrames", 1000, 0, 1_000_000,
      "Server frames a transaction keeps for REPLAY_REQUEST.");
  public static final String HUB_REPLAY_MAX_AGE = duration("hub.replay.maxAge", "5m",
      "Age beyond which kept frames leave the replay window.");
  public static final String HUB_REPLAY_MAX_BYTES = add(new ConfigKey("hub.replay.maxBytes", ConfigType.BYTES, "256KiB", false,
      List.of(), 0d, (double) Integer.MAX_VALUE, "Bytes of frame text a transaction keeps for REPLAY_REQUEST (with maxFrames and maxAge: whichever is least). Bounds the hub's memory per transaction."));
  public static final String HUB_REPLAY_MAX_ANSWER_BYTES = add(new ConfigKey("hub.replay.maxAnswerBytes", ConfigType.BYTES, "64KiB", false,
      List.of(), 1024d, (double) Integer.MAX_VALUE, "Bytes of frames one REPLAY_REQUEST answer resends (at least one frame); the closing INFO names next_seq, where the client asks for the rest."));
  public static final String HUB_MEMORY_BUDGET = add(new ConfigKey("hub.memory.budget", ConfigType.BYTES, "0", false,
      List.of(), 0d, null, "Node-wide bytes for replay windows and open transactions; 0 means a quarter of the max heap. Near it the oldest replay frames are dropped first; TRANSACTION_START gets MEMORY_LIMIT when open transactions alone fill it."));
  public static final String HUB_FLOW_CREDIT_MESSAGES = intKey("hub.flow.initialCreditMessages", 1000, 1, 1_000_000,
      "Message credit per channel advertised in the server's HAI.");
  public static final String HUB_FLOW_CREDIT_BYTES = add(new ConfigKey("hub.flow.initialCreditBytes", ConfigType.BYTES, "16MiB", false,
      List.of(), 0d, null, "Byte credit per channel advertised in the server's HAI."));
  public static final String HUB_MONITOR_PING_INTERVAL = duration("hub.monitor.pingInterval", "30s",
      "WebSocket pings on /ws this often.");
  public static final String HUB_MONITOR_IDLE_TIMEOUT = duration("hub.monitor.idleTimeout", "60s",
      "A /ws socket silent this long is closed.");
  public static final String HUB_MONITOR_MAX_SUBSCRIPTIONS = intKey("hub.monitor.maxSubscriptions", 1000, 1, 10_000_000,
      "Executions one /ws socket may watch at once; a subscribe beyond it gets the error SUBSCRIPTION_LIMIT.");
  public static final String HUB_MONITOR_SUBSCRIBE_RATE = intKey("hub.monitor.subscribeRate", 100, 1, 10_000_000,
      "Requests per second one /ws socket may send (a burst of one second's worth); above it the error RATE_LIMITED and the request is not processed.");
  public static final String HUB_MONITOR_SUBSCRIBE_RATE_CLOSE_AFTER = intKey("hub.monitor.subscribeRateCloseAfter", 500, 1, 10_000_000,
      "Refused /ws requests within one second after which the socket is closed with 1008.");
  public static final String HUB_HANDSHAKE_TIMEOUT = duration("hub.handshakeTimeout", "10s",
      "A /haip socket without an accepted HAI, or a /ws socket without a first subscribe or unsubscribe, this long after the upgrade is closed 1008 'handshake timeout'.");
  public static final String HUB_MAX_PENDING_HANDSHAKES = intKey("hub.maxPendingHandshakes", 1000, 1, 10_000_000,
      "WebSockets per node that have not completed their handshake; upgrades beyond it get HTTP 503 HANDSHAKE_LIMIT.");
  public static final String HUB_MAX_PENDING_HANDSHAKES_PER_ADDRESS = intKey("hub.maxPendingHandshakesPerAddress", 100, 1, 10_000_000,
      "Un-handshaken WebSockets per source IP address; upgrades beyond it get HTTP 503 HANDSHAKE_LIMIT.");
  public static final String HUB_CONTROL_FRAME_RATE = intKey("hub.controlFrameRate", 20, 1, 1_000_000,
      "Ping, pong and close frames per second a socket may send (a bucket of one second's worth); above it the socket is closed 1008 'control frame flood'.");
  public static final String HUB_CLOSE_TIMEOUT = duration("hub.closeTimeout", "5s",
      "After the node closes a WebSocket, how long it waits for the peer's close frame (reading and discarding anything else) before it drops the TCP connection.");

  // ---- authentication and the admin surface (docs/operations.md, Authentication) --------------------------
  public static final String AUTH_ADMIN_TOKENS = secret("auth.adminTokens", ConfigType.LIST, "",
      "Static admin tokens: a Bearer header with one of these opens the admin surface (silences, rule reload, /config, /api/clients, /admin/*, the bridge's write addresses) and gives every role on /haip and /ws.");
  public static final String AUTH_JWT_SECRET = secret("auth.jwt.secret", ConfigType.STRING, "",
      "HS256 secret that signs accepted JWTs (at least 32 bytes); empty means no HS256.");
  public static final String AUTH_JWT_PUBLIC_KEY = key("auth.jwt.publicKey", ConfigType.STRING, "",
      "PEM public key (the text, or the path of a file holding it) that verifies accepted JWTs; empty means none.");
  public static final String AUTH_JWT_PUBLIC_KEY_ALGORITHM = enumKey("auth.jwt.publicKeyAlgorithm", "rs256",
      List.of("rs256", "es256"), "The algorithm of auth.jwt.publicKey: rs256 or es256.");
  public static final String AUTH_JWT_JWKS_URL = key("auth.jwt.jwksUrl", ConfigType.STRING, "",
      "URL of a JWKS (RS256 and ES256 keys) fetched at start-up, every auth.jwt.jwksRefresh, and when a token names an unknown kid (at most every 10 s); empty means none.");
  public static final String AUTH_JWT_JWKS_REFRESH = duration("auth.jwt.jwksRefresh", "10m",
      "How often the JWKS is fetched again; the last good keys stay in use while a fetch fails.");
  public static final String AUTH_JWT_ISSUER = key("auth.jwt.issuer", ConfigType.STRING, "",
      "The iss a JWT must carry; empty means iss is not checked.");
  public static final String AUTH_JWT_AUDIENCE = key("auth.jwt.audience", ConfigType.LIST, "",
      "Accepted aud values (a JWT's aud must hold one); empty means aud is not checked.");
  public static final String AUTH_JWT_CLOCK_SKEW = duration("auth.jwt.clockSkew", "30s",
      "How far a JWT's exp and nbf may be off this node's clock.");
  public static final String AUTH_JWT_ROLES_CLAIM = key("auth.jwt.rolesClaim", ConfigType.STRING, "roles",
      "The claim listing a JWT's roles: client, agent, monitor, admin.");
  public static final String AUTH_JWT_OFFER_CLAIM = key("auth.jwt.offerClaim", ConfigType.STRING, "tools_offer",
      "The claim listing tool patterns (* is a wildcard) an agent may offer; absent from a token means every tool.");
  public static final String AUTH_JWT_CALL_CLAIM = key("auth.jwt.callClaim", ConfigType.STRING, "tools_call",
      "The claim listing tool patterns a client may call; absent from a token means every tool.");
  public static final String AUTH_JWT_WATCH_CLAIM = key("auth.jwt.watchClaim", ConfigType.STRING, "tools_watch",
      "The claim listing tool patterns whose executions and events a monitor may see; absent from a token means every tool.");
  public static final String AUTH_ALLOW_TOOL_TAKEOVER = key("auth.allowToolTakeover", ConfigType.BOOLEAN, false,
      "Whether an agent may offer a tool name that an agent of another identity (JWT sub, or static token) already offers; if false it gets UNAUTHORIZED for that tool.");
  public static final String ADMIN_PORT = intKey("admin.port", 0, 0, 65535,
      "If set, the admin surface (silences writes, rule reload, /config, /api/clients, /admin/*) is served only on this port (on http.host), and answers 404 on http.port.");

  // ---- alert --------------------------------------------------------------------------------------------
  public static final String ALERT_RULES = key("alert.rules", ConfigType.JSON, null,
      "Alert rules (a YAML list); null means the shipped defaults. See docs/alerts.md.");
  public static final String ALERT_EVALUATION_INTERVAL = duration("alert.evaluationInterval", "1s",
      "How often the leader evaluates the rules.");
  public static final String ALERT_SINKS = secret("alert.sinks", ConfigType.JSON, List.of(),
      "Notification sinks (webhook, slack, pagerduty, alertmanager, email); URLs, keys and passwords are secrets.");
  public static final String ALERT_GROUP_WAIT = duration("alert.groupWait", "0s",
      "Firing alerts of one rule within this time go to each sink as one notification (0: off; the bus gets each event).");
  public static final String ALERT_DASHBOARD_URL = key("alert.dashboardUrl", ConfigType.STRING, "",
      "Link to the dashboard put into email notifications (empty: no link).");
  public static final String ALERT_HISTORY_MAX = intKey("alert.historyMax", 1000, 1, 1_000_000,
      "Alert episodes kept in /alerts/history.");
  public static final String ALERT_MAX_SILENCES = intKey("alert.maxSilences", 1000, 1, 100_000,
      "Silences kept at once (pending, active, or expired less than an hour ago); POST /silences beyond it is refused with 409 SILENCE_LIMIT.");
  public static final String ALERT_MAX_SILENCE_MATCHERS = intKey("alert.maxSilenceMatchers", 16, 1, 1000,
      "Matchers in one silence; more is refused with 400 INVALID_SILENCE.");
  public static final String ALERT_MAX_MATCHER_PATTERN_LENGTH = intKey("alert.maxMatcherPatternLength", 256, 1, 10_000,
      "Characters in one matcher value (regex or not); longer is refused with 400 (PATTERN_REFUSED for a regex, INVALID_SILENCE otherwise).");
  public static final String ALERT_MAX_SILENCE_PATTERN_SIZE = intKey("alert.maxSilencePatternSize", 10_000, 1, 10_000_000,
      "Sum over the regex matchers of all kept silences of their expanded size (pattern length with counted repetitions expanded): bounds the work each evaluation spends on silences. Beyond it POST /silences is refused with 409 SILENCE_LIMIT.");
  public static final String ALERT_MAX_SILENCE_DURATION = duration("alert.maxSilenceDuration", "30d",
      "How far in the future a silence may end (endsAt, or startsAt plus duration, at most now plus this); later is refused with 400 INVALID_SILENCE.");

  // ---- event-bus bridges -------------------------------------------------------------------------------
  public static final String BRIDGE_SOCKJS_ENABLED = key("bridge.sockjs.enabled", ConfigType.BOOLEAN, true,
      "Serve the SockJS event-bus bridge at /eventbus (docs/operations.md, Bridges).");
  public static final String BRIDGE_TCP_PORT = intKey("bridge.tcp.port", 0, 0, 65535,
      "Port of the TCP event-bus bridge (4-byte length + JSON frames) on http.host; 0 means no TCP bridge.");
  public static final String BRIDGE_MAX_SOCKETS = intKey("bridge.maxSockets", 10_000, 1, 10_000_000,
      "Open bridge sockets per node, SockJS and TCP together; a socket beyond it is closed at once (counted as reason socket_limit).");
  public static final String BRIDGE_OUTBOUND = key("bridge.outbound", ConfigType.LIST,
      "switchboard.alerts,switchboard.stats.cluster,switchboard.health.cluster,switchboard.hub.events",
      "Addresses a bridge client may register for (exact names). Tool, node and silence addresses are refused at start-up.");
  public static final String BRIDGE_INBOUND = key("bridge.inbound", ConfigType.LIST,
      "switchboard.stats.query,switchboard.alerts.query",
      "Addresses a bridge client may send to (exact names); on switchboard.alerts.query only reads ({what} of active, history, rules, silences, status) pass. Tool, node and silence addresses are refused at start-up.");

  // ---- admin --------------------------------------------------------------------------------------------
  public static final String ADMIN_PROFILING_ENABLED = key("admin.profiling.enabled", ConfigType.BOOLEAN, false,
      "Serve POST /admin/profile?seconds=N (a JFR recording of this node). Off by default; it is part of the admin surface (an admin credential once credentials are configured; docs/operations.md, Authentication).");
  public static final String ADMIN_PROFILING_MAX_SECONDS = intKey("admin.profiling.maxSeconds", 30, 1, 3600,
      "Longest recording POST /admin/profile accepts (seconds); must be shorter than http.idleTimeout, which closes a connection waiting silently for its recording.");

  /** All keys in declaration order. */
  public static List<ConfigKey> all() {
    return Collections.unmodifiableList(new ArrayList<>(KEYS.values()));
  }

  public static ConfigKey get(String path) {
    return KEYS.get(path);
  }
}
