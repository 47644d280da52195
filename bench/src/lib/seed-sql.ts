/**
 * INSERT … SELECT statements that fill a store's tables server-side from MariaDB's sequence
 * engine (seq_1_to_N), one range of seq at a time. Every column is a deterministic function of
 * seq (CRC32 with a per-column salt), so events, deliveries and attempts agree without a join and
 * a reseed produces the same data. Ids are `<kind>_` + seq in 32 hex digits: time-ordered strings
 * of the schema's shape, in the same order as created_at.
 */

/** A pseudo-random per-mille bucket of seq, independent per salt. */
const mille = (salt: string) => `(CRC32(CONCAT('${salt}', seq)) % 1000)`;
/** A pseudo-random fraction in [0, 1). */
const unit = (salt: string) => `(CRC32(CONCAT('${salt}', seq)) / 4294967296)`;

/** Distributions: the admin queries see skew like a real log, not uniform noise. */
const CODE = `CASE WHEN ${mille("c")} < 250 THEN 'user_credits_zero' WHEN ${mille("c")} < 600 THEN 'post_code_change' ELSE 'add_credits' END`;
const ENDPOINT = `CASE WHEN ${mille("e")} < 400 THEN 'crm' WHEN ${mille("e")} < 650 THEN 'billing' WHEN ${mille("e")} < 850 THEN 'sales-alerts' WHEN ${mille("e")} < 950 THEN 'analytics' ELSE 'partner-acme' END`;
/** 20,000 buyers, squared skew: a few busy buyers have thousands of events, most have a few. */
const SUBJECT = `CONCAT('buyer-', LPAD(FLOOR(POW(${unit("s")}, 2) * 20000), 7, '0'))`;
const STATUS = `CASE WHEN ${mille("t")} < 930 THEN 'succeeded' WHEN ${mille("t")} < 960 THEN 'failed' WHEN ${mille("t")} < 985 THEN 'pending' WHEN ${mille("t")} < 998 THEN 'cancelled' ELSE 'sending' END`;
/** Long-tailed receiver latency: median ≈ 200 ms, p95 ≈ 2.4 s. */
const DURATION = `(15 + FLOOR(POW(${unit("d")}, 4) * 3000))`;

export const SPAN_MS = 7 * 24 * 3_600_000;

/** The derived table every statement reads: one row per seq in [from, to]. */
function source(rows: number, baseMs: number): string {
  const created = `(${baseMs} + FLOOR((seq - 1) * ${SPAN_MS} / ${rows}))`;
  return `(SELECT LPAD(LOWER(HEX(seq)), 32, '0') AS h, ${CODE} AS code, ${ENDPOINT} AS endpoint,
    ${SUBJECT} AS subject, ${STATUS} AS status, ${created} AS created, ${DURATION} AS duration
    FROM seq_1_to_${rows} WHERE seq BETWEEN ? AND ?) s`;
}

const BODY = `CASE code
  WHEN 'add_credits' THEN CONCAT('{"buyerId":"', subject, '","buyerName":"Northwind Plumbing Ltd","postCodeList":["AB","BN","GN"],"topUpAmount":100,"eventCode":"add_credits"}')
  WHEN 'user_credits_zero' THEN CONCAT('{"buyerId":"', subject, '","businessName":"Northwind Plumbing Ltd","postCodeList":["AB","BN","GN"],"remainingCredits":0,"eventCode":"user_credits_zero"}')
  ELSE CONCAT('{"buyerId":"', subject, '","businessName":"Northwind Plumbing Ltd","postCodeList":["AB","BN","GN"],"eventCode":"post_code_change"}') END`;

export function insertEventsSql(p: string, rows: number, baseMs: number): string {
  return `INSERT INTO ${p}events (id, code, subject, body, idempotency_key, created_at)
    SELECT CONCAT('evt_', h), code, subject, ${BODY}, NULL, created FROM ${source(rows, baseMs)}`;
}

/** One delivery per event; pending ones are retry-scheduled, sending ones hold a lease. */
export function insertDeliveriesSql(p: string, rows: number, baseMs: number): string {
  return `INSERT INTO ${p}deliveries (id, event_id, event_code, endpoint_id, subject, status, attempts,
      next_attempt_at, lease_until, claim_token, worker_id, last_status, last_error_code, last_duration_ms,
      created_at, updated_at)
    SELECT CONCAT('dlv_', h), CONCAT('evt_', h), code, endpoint, subject, status,
      IF(status = 'sending', 2, 1),
      IF(status = 'pending', created + 300000, NULL),
      IF(status = 'sending', created + 120000, NULL),
      IF(status = 'sending', CONCAT('clm_', h), NULL),
      IF(status = 'sending', 'seed-worker', NULL),
      CASE status WHEN 'succeeded' THEN 200 WHEN 'failed' THEN 410 ELSE 503 END,
      CASE status WHEN 'succeeded' THEN NULL WHEN 'failed' THEN 'HOOKLINE_ENDPOINT_GONE' ELSE 'HOOKLINE_HTTP_STATUS' END,
      duration, created, created + duration
    FROM ${source(rows, baseMs)}`;
}

/** One attempt per delivery, with headers and bodies of a realistic size. */
export function insertAttemptsSql(p: string, rows: number, baseMs: number): string {
  return `INSERT INTO ${p}attempts (id, delivery_id, endpoint_id, event_code, attempt, started_at, duration_ms,
      url, request_headers, response_status, response_headers, response_body, response_truncated, outcome,
      error_code, error_message)
    SELECT CONCAT('att_', h), CONCAT('dlv_', h), endpoint, code, 1, created + 5, duration,
      CONCAT('https://', endpoint, '.example.com/hooks'),
      CONCAT('{"content-type":"application/json","user-agent":"Hookline/0.1.0","webhook-id":"evt_', h,
        '","webhook-timestamp":"', FLOOR(created / 1000), '","webhook-signature":"[redacted]"}'),
      CASE status WHEN 'succeeded' THEN 200 WHEN 'failed' THEN 410 ELSE 503 END,
      '{"content-type":"application/json","content-length":"11"}',
      IF(status = 'succeeded', '{"ok":true}', '{"error":"unavailable"}'), 0,
      CASE status WHEN 'succeeded' THEN 'success' WHEN 'failed' THEN 'permanent' ELSE 'retryable' END,
      CASE status WHEN 'succeeded' THEN NULL WHEN 'failed' THEN 'HOOKLINE_ENDPOINT_GONE' ELSE 'HOOKLINE_HTTP_STATUS' END,
      IF(status = 'succeeded', NULL, 'receiver answered an error status')
    FROM ${source(rows, baseMs)}`;
}
