/** The detail panel: one delivery with every attempt, and its Replay button. */
import { api, report } from "./api.js";
import type { Attempt, DeliveryDetail, Headers, ReplayAnswer, TraceContext } from "./api-types.js";
import { loadCharts } from "./charts.js";
import { loadDeliveries } from "./deliveries-table.js";
import { $, badge, type Child, clear, fill, fmtMs, fmtTime, h } from "./dom.js";
import { state } from "./state.js";

function fields(pairs: readonly (readonly [string, Child])[]): HTMLDListElement {
  const dl = h("dl");
  for (const [name, value] of pairs) fill(dl, [h("dt", {}, [name]), h("dd", {}, [value])]);
  return dl;
}

function headerTable(headers: Headers | null): HTMLElement {
  const entries = Object.entries(headers || {});
  if (entries.length === 0) return h("div", { class: "mono" }, ["(none)"]);
  return h(
    "table",
    { class: "mono" },
    entries.map(([k, v]) => h("tr", {}, [h("td", {}, [k]), h("td", {}, [v])])),
  );
}

// Recorded without a webhook-signature header (a signed request keeps it, redacted): sent unsigned.
function isUnsigned(a: Attempt): boolean {
  const names = Object.keys(a.requestHeaders || {});
  return names.length > 0 && !names.some((k) => k.toLowerCase() === "webhook-signature");
}

function attemptCard(a: Attempt): HTMLDivElement {
  // A broker records its answer (stream and sequence, exchange and ack) as a body without a status.
  const brokerAnswer = a.responseStatus === null && a.responseBody !== null;
  const answer =
    a.responseStatus !== null ? `HTTP ${a.responseStatus}` : brokerAnswer ? "broker answered" : "no response";
  const verb = a.url === null || /^https?:/i.test(a.url) ? "POST" : "publish";
  const title = `Attempt ${a.attempt} · ${fmtTime(a.startedAt)} UTC · ${answer} · ${a.outcome} · ${fmtMs(a.durationMs)}`;
  const card = h("div", { class: "attempt", "data-attempt": a.attempt }, [
    h("h3", {}, [title]),
    h("div", { class: "mono" }, [`${verb} ${a.url || "(not sent)"}`]),
    isUnsigned(a) ? h("div", { class: "mono unsigned" }, ["unsigned (no webhook-signature)"]) : null,
    h("div", {}, [h("strong", {}, ["Request headers"]), " (secrets redacted)"]),
    headerTable(a.requestHeaders),
  ]);
  if (a.responseStatus !== null) {
    fill(card, [
      h("div", {}, [h("strong", {}, ["Response headers"])]),
      headerTable(a.responseHeaders),
      h("div", {}, [h("strong", {}, ["Response body"]), a.responseTruncated ? " (truncated)" : ""]),
      h("pre", { class: "response-body" }, [a.responseBody || ""]),
    ]);
  } else if (brokerAnswer) {
    fill(card, [
      h("div", {}, [h("strong", {}, ["Broker answer"])]),
      h("pre", { class: "response-body" }, [a.responseBody || ""]),
    ]);
  }
  if (a.errorCode) {
    const line = a.errorCode + (a.errorMessage ? `: ${a.errorMessage}` : "");
    card.appendChild(h("div", { class: "mono error-line" }, [line]));
  }
  return card;
}

const TRACEPARENT = /^[0-9a-f]{2}-([0-9a-f]{32})-([0-9a-f]{16})-[0-9a-f]{2}$/;

// The trace id is what a tracing backend is searched by; the span is the emit within that trace.
function traceText(tc: TraceContext | null | undefined): string {
  if (!tc) return "-";
  const m = TRACEPARENT.exec(tc.traceparent);
  return m ? `${m[1]} (emit span ${m[2]})` : tc.traceparent;
}

function prettyBody(body: string): string {
  try {
    return JSON.stringify(JSON.parse(body), null, 2);
  } catch {
    return body;
  }
}

async function replay(id: string): Promise<void> {
  const r = await api<ReplayAnswer>(`api/deliveries/${encodeURIComponent(id)}/replay`, {
    method: "POST",
    body: {},
  });
  await showDetail(
    id,
    r.requeued
      ? "Requeued: a running Hookline worker sends it again (same webhook-id, fresh signature)."
      : "Nothing requeued.",
  );
  loadDeliveries().catch(report);
  loadCharts().catch(report);
}

function actions(d: DeliveryDetail, note: string | undefined): HTMLDivElement {
  const replayable = (state.meta ? state.meta.replayableStatuses : []).includes(d.status);
  return h("div", { class: "actions" }, [
    badge(d.status),
    h(
      "button",
      {
        id: "replay",
        type: "button",
        disabled: !replayable,
        title: replayable ? "Send again" : "Only succeeded, failed or cancelled deliveries can be replayed",
        onclick: () => replay(d.id).catch(report),
      },
      ["Replay"],
    ),
    h("button", { id: "close-detail", type: "button", class: "quiet", onclick: closeDetail }, ["Close"]),
    note ? h("span", { class: "note" }, [note]) : null,
  ]);
}

function openOther(ev: Event, id: string): void {
  ev.preventDefault();
  showDetail(id).catch(report);
}

// Ordered by subject, an earlier unfinished delivery goes first; a cancel without an attempt
// (superseded, endpoint disabled) has its reason only in the last error.
function detailNotes(d: DeliveryDetail): [string, Child][] {
  const notes: [string, Child][] = [];
  const first = d.waitingFor;
  if (first)
    notes.push([
      "waiting for",
      h("a", { href: "#", class: "mono waiting-for", onclick: (ev) => openOther(ev, first) }, [first]),
    ]);
  if (d.lastErrorCode)
    notes.push([
      "last error",
      d.lastErrorCode === "HOOKLINE_SUPERSEDED"
        ? `${d.lastErrorCode} (a newer state of the subject replaced it)`
        : d.lastErrorCode,
    ]);
  return notes;
}

export async function showDetail(id: string, note?: string): Promise<void> {
  const d = await api<DeliveryDetail>(`api/deliveries/${encodeURIComponent(id)}`);
  state.selected = id;
  document.querySelectorAll("#deliveries tbody tr").forEach((tr) => {
    tr.classList.toggle("selected", tr.getAttribute("data-id") === id);
  });
  const panel = clear($("#detail"));
  fill(panel, [
    h("h2", {}, ["Delivery ", h("span", { class: "mono" }, [d.id])]),
    actions(d, note),
    fields([
      ["event", d.eventCode],
      ["webhook-id", d.eventId],
      ["trace", traceText(d.event.traceContext)],
      ["endpoint", d.endpointId],
      ["subject", d.subject || "-"],
      ...detailNotes(d),
      ["attempts", String(d.attempts)],
      ["created", `${fmtTime(d.createdAt)} UTC`],
      ["updated", `${fmtTime(d.updatedAt)} UTC`],
      ["next attempt", d.nextAttemptAt ? `${fmtTime(d.nextAttemptAt)} UTC` : "-"],
    ]),
    h("strong", {}, ["Event body"]),
    h("pre", { class: "event-body" }, [prettyBody(d.event.body)]),
    h("strong", {}, [`Attempts (${d.attemptLog.length})`]),
  ]);
  fill(panel, d.attemptLog.map(attemptCard));
  if (d.attemptLog.length === 0) panel.appendChild(h("div", { class: "empty" }, ["No attempts yet."]));
  panel.hidden = false;
  document.body.classList.add("detail-open");
}

export function closeDetail(): void {
  $("#detail").hidden = true;
  document.body.classList.remove("detail-open");
}
