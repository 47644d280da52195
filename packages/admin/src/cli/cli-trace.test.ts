import { resolveEndpoints } from "@hookline/core";
import { makeEvent } from "@hookline/core/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TOKEN } from "../__fixtures__/api-env.js";
import { useCliEnv } from "../__fixtures__/cli-env.js";
import { testEndpoints } from "../__fixtures__/live-hookline.js";
import { type AdminServer, createAdminServer } from "../index.js";

const env = useCliEnv(1);
const TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";
const SPAN_ID = "00f067aa0ba902b7";
const traceContext = { traceparent: `00-${TRACE_ID}-${SPAN_ID}-01`, tracestate: "vendor=abc" };

let server: AdminServer;
let url: string;
// A traced emit's event (as core stores it when an OpenTelemetry SDK recorded the emit) and an untraced one.
const traced = { ...makeEvent({ code: "add_credits", endpoints: ["crm"], subject: "traced" }), traceContext };
const plain = makeEvent({ code: "add_credits", endpoints: ["crm"], subject: "untraced" });

beforeAll(async () => {
  await env().store.insertEvents([traced, plain]);
  const endpoints = resolveEndpoints(testEndpoints(env().live.receiver.baseUrl), {
    knownCodes: ["add_credits", "post_code_change", "user_credits_zero"],
  });
  server = createAdminServer({ store: env().store, endpoints, token: TOKEN, port: 0 });
  url = await server.listen();
});
afterAll(() => server?.close());

interface WithTrace {
  readonly traceContext?: unknown;
}
const api = async <T>(path: string): Promise<T> =>
  (await fetch(url + path, { headers: { authorization: `Bearer ${TOKEN}` } })).json() as Promise<T>;

describe("the emit's trace context in event and delivery details", () => {
  it("the API returns it with the event", async () => {
    const d = await api<{ event: WithTrace }>(`/api/deliveries/${traced.deliveries[0]!.id}`);
    expect(d.event.traceContext).toEqual(traceContext);
    expect((await api<WithTrace>(`/api/events/${traced.id}`)).traceContext).toEqual(traceContext);
    expect((await api<WithTrace>(`/api/events/${plain.id}`)).traceContext ?? null).toBeNull();
  });

  it("deliveries show and events show print the trace id and the emit span; '-' when untraced", async () => {
    const line = new RegExp(`│ trace\\s+│ ${TRACE_ID}  \\(emit span ${SPAN_ID}\\)\\s+│`);
    expect((await env().run(["deliveries", "show", traced.deliveries[0]!.id])).stdout).toMatch(line);
    expect((await env().run(["events", "show", traced.id])).stdout).toMatch(line);
    expect((await env().run(["events", "show", plain.id])).stdout).toMatch(/│ trace\s+│ -\s+│/);
  });
});
