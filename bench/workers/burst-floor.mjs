// The burst of scenario 14 without Hookline (n payloads, each held by a promise until all exist),
// plus `bytes` per item that stay reachable long enough to reach old space, made at about the
// pace a delivery pipeline works through the burst. It shows where V8's old-space sizing puts the
// process's peak for a given amount promoted per item, whatever the library that promotes it.
// `--config=<json>`: n, bytes. Prints one JSON line { peakRssMb } on stdout when done.

import { readFileSync } from "node:fs";
import { childConfig } from "../dist/lib/child-store.js";
import { holdPayloads } from "../dist/lib/held-payloads.js";

const { n, bytes } = childConfig("burst-floor.mjs");

const held = holdPayloads(n);

// Each item's kept part: strings of about 40 bytes in an array, alive while 4,000 newer items
// are made (under a second at the pace below: through several scavenges, so promoted).
const RING = 4_000;
const ring = new Array(RING);
const strings = Math.round(bytes / 48);
let i = 0;
await new Promise((done) => {
  const tick = () => {
    for (let k = 0; k < 60 && i < n; k++, i++) {
      const kept = new Array(strings);
      for (let j = 0; j < strings; j++) kept[j] = `item-${i}-${j}-abcdefghijklmnopqrstu`;
      ring[i % RING] = strings > 0 ? kept : undefined;
      // Garbage that dies young, as most of a delivery's allocations do.
      for (let j = 0; j < 200; j++) void { j, s: `${j}:${i}` };
    }
    if (i < n) setTimeout(tick, 10);
    else done();
  };
  tick();
});
await held.release();
const peakKb = Number(/VmHWM:\s+(\d+)\s+kB/.exec(readFileSync("/proc/self/status", "utf8"))?.[1]);
console.log(JSON.stringify({ peakRssMb: peakKb / 1024 }));
