export {
  breakerVerdict,
  type CircuitFields,
  MAX_PAUSE_MS,
  retryAfterPause,
  stepCircuit,
} from "./contracts/circuit-step.js";
export { type ClassifyOptions, classifyResponse, parseRetryAfter } from "./contracts/classify.js";
export {
  type BreakerSettings,
  CIRCUIT_STATES,
  type CircuitState,
  type CircuitTransition,
  type EndpointControl,
} from "./contracts/delivery-control.js";
export {
  latencyBucket,
  latencyBucketStep,
  nearestRankPercentile,
  percentileRank,
} from "./contracts/latency.js";
export {
  type AttemptRecord,
  type AttemptRequestRewrite,
  type AttemptResult,
  type ClaimedDelivery,
  type ClaimRef,
  type CompletionReport,
  DELIVERY_STATUSES,
  type DeliveryDetail,
  type DeliveryFilter,
  type DeliveryStatus,
  type DeliveryStore,
  type DeliverySummary,
  type EndpointBacklog,
  type EndpointHealth,
  type EndpointState,
  type EventDetail,
  type EventFilter,
  type EventRecord,
  type InsertReport,
  type NewDelivery,
  type NewEvent,
  type NextState,
  type Page,
  type PageRequest,
  type RedactAttemptsOptions,
  type RedactReport,
  type StatsRow,
  type StoredAttemptRequest,
  type StoredTraceContext,
  type StoreErrorDetails,
  type SubjectKey,
  TERMINAL_STATUSES,
  type TimelineBucket,
  type TimeRange,
  type TransactionOutcome,
} from "./contracts/store.js";
export type {
  DeliveryOutcome,
  DeliveryRequest,
  EndpointTls,
  OutcomeKind,
  Transport,
} from "./contracts/transport.js";
export { container, type DependencyContainer, inject, injectable, TOKENS } from "./di/tokens.js";
export type { EmitOptions, EmitResult } from "./dispatch/emit-options.js";
export { MicroBatcher, type MicroBatcherOptions } from "./dispatch/micro-batcher.js";
export type { AttemptSummary } from "./dispatch/pipeline.js";
export { REDACTED, redactCredentialHeaders, redactHeaders, redactUrl } from "./dispatch/redact.js";
export { redactBatchSize, rewriteStoredRequest } from "./dispatch/redact-stored.js";
export {
  defineConfig,
  type EndpointConfig,
  type EndpointTlsConfig,
  type HooklineConfig,
  type ResolvedEndpoint,
  subscribes,
} from "./endpoints/endpoint-config.js";
export {
  type CircuitBreakerConfig,
  DEFAULT_BREAKER,
  type EndpointOrdering,
  type EndpointRateLimitConfig,
} from "./endpoints/endpoint-control.js";
export { substituteEnv } from "./endpoints/env-substitution.js";
export { CONFIG_FILE_NAMES, type LoadConfigOptions, loadConfig } from "./endpoints/load-config.js";
export { type ResolveEndpointsOptions, resolveEndpoints } from "./endpoints/resolve-endpoints.js";
export { ERROR_CODES, type ErrorCode } from "./errors/codes.js";
export {
  describeValue,
  type ErrorDetails,
  HooklineError,
  invalidOption,
  isHooklineError,
} from "./errors/hookline-error.js";
export {
  assertEventDefinition,
  defineEvent,
  EVENT_CODE_PATTERN,
  type EventDefinition,
  type EventInput,
} from "./events/define-event.js";
export { definePlugin, type EventPayloads, type HooklinePlugin } from "./events/plugin.js";
export { EventRegistry } from "./events/registry.js";
export {
  createHookline,
  type Hookline,
  type HooklineRuntimeConfig,
  type LifecycleListener,
} from "./hookline.js";
export type { DeliveryEventInfo, LifecycleEvents } from "./lifecycle.js";
export { type MemoryStoreOptions, memoryStore } from "./memory/memory-store.js";
export { type MemoryTransportOptions, memoryTransport } from "./memory/memory-transport.js";
export type { DispatchMode, HooklineOptions, ResolvedSettings, WorkerOptions } from "./options.js";
export { DEFAULT_RETRY_SCHEDULE, type RetryOptions, RetryPolicy } from "./retry/retry-policy.js";
export { decodeSecret, generateSecret, SECRET_PREFIX } from "./signing/secret.js";
export { computeSignature, type SignatureHeaders, signatureHeaders } from "./signing/sign.js";
export { type HeaderSource, type VerifiedWebhook, type VerifyInput, verify } from "./signing/verify.js";
export type { ResolvedTelemetry, TelemetryOptions } from "./telemetry/telemetry-options.js";
export { TELEMETRY_SCOPE_NAME } from "./telemetry/tracing.js";
export { type IntOptionRange, intOption, intOptions } from "./transports/option-checks.js";
export { type AttemptStart, attemptTimeoutMs, startAttempt } from "./transports/send-checks.js";
export { socketErrorCode } from "./transports/socket-errors.js";
export { failedOutcome, type ResponseParts, type TransportFailure } from "./transports/transport-failure.js";
export { UrlCache } from "./transports/url-cache.js";
export { type Clock, sleep, systemClock, type TimerHandle } from "./util/clock.js";
export { type IdKind, idTimestamp, newId } from "./util/ids.js";
export { checkLogger, consoleLogger, type Logger, silentLogger } from "./util/logger.js";
export { assertKnownKeys, keysOf, nearestKey } from "./util/strict-keys.js";
export { HOOKLINE_VERSION } from "./version.js";
