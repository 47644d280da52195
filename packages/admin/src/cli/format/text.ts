/** Short UTC timestamp for tables: 2026-11-28 16:24:28Z. */
export function fmtTime(d: Date | null | undefined): string {
  return d ? `${d.toISOString().slice(0, 19).replace("T", " ")}Z` : "-";
}

/** How long before `now` `since` was, coarsely ("45 s", "12 min", "3 h 5 min", "2 d 4 h"); "-" for none. */
export function fmtAge(since: Date | null | undefined, now: Date): string {
  if (!since) return "-";
  const s = Math.max(0, Math.floor((now.getTime() - since.getTime()) / 1000));
  if (s < 60) return `${s} s`;
  const min = Math.floor(s / 60);
  if (min < 60) return `${min} min`;
  const hours = Math.floor(min / 60);
  if (hours < 24) return `${hours} h ${min % 60} min`;
  return `${Math.floor(hours / 24)} d ${hours % 24} h`;
}

export function fmtMs(ms: number | null | undefined): string {
  return ms === null || ms === undefined ? "-" : `${Math.round(ms)} ms`;
}

export function fmtRate(rate: number | null | undefined): string {
  return rate === null || rate === undefined ? "-" : `${(rate * 100).toFixed(1)} %`;
}

/** First `max` characters on one line, control characters escaped, with an ellipsis when cut. */
export function clip(text: string | null | undefined, max: number): string {
  if (!text) return "";
  const line = oneLine(text.replace(/\s+/g, " "));
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

// C0 controls, DEL and C1 controls. Stored text (receiver answers, payload subjects, reasons,
// driver messages) is written by others; raw, it could move the cursor, rewrite a line with CR,
// set the window title (OSC 0) or the clipboard (OSC 52). Bidirectional overrides and isolates,
// and the Unicode line and paragraph separators, are escaped too: they reorder or break what a
// reader sees without being visible themselves.
// One list of ranges, so the three patterns below cannot drift apart.
const C0_BUT_LF_TAB = "\\u0000-\\u0008\\u000b-\\u001f";
const DEL_C1_BIDI = "\\u007f-\\u009f\\u061c\\u200e\\u200f\\u2028\\u2029\\u202a-\\u202e\\u2066-\\u2069";
const CONTROLS = new RegExp(`[${C0_BUT_LF_TAB}\\n\\t${DEL_C1_BIDI}]`, "g");
const CONTROLS_BUT_LF_TAB = new RegExp(`[${C0_BUT_LF_TAB}${DEL_C1_BIDI}]`, "g");
const NAMED: Readonly<Record<string, string>> = { "\n": "\\n", "\r": "\\r", "\t": "\\t" };

function escapeControl(ch: string): string {
  const code = ch.charCodeAt(0);
  return (
    NAMED[ch] ??
    (code < 0x80 ? `\\x${code.toString(16).padStart(2, "0")}` : `\\u${code.toString(16).padStart(4, "0")}`)
  );
}

/**
 * True when `text` holds a C0 control (line feeds and tabs included), DEL, a C1 control, a
 * bidirectional formatting character or a Unicode line/paragraph separator.
 */
export function hasControls(text: string): boolean {
  return new RegExp(CONTROLS.source).test(text);
}

/**
 * Text from the log for one line of human output: every control character is shown as an escape
 * (`\x1b`, `\r`, `\n`, `\u009b`) instead of reaching the terminal. Backslashes are left alone,
 * so a literal `\x1b` in the data reads the same as an escaped ESC.
 */
export function oneLine(text: string | null | undefined): string {
  return text ? text.replace(CONTROLS, escapeControl) : "";
}

/**
 * A body for human output: line feeds and tabs stay (bodies are often pretty-printed), every
 * other control is escaped as in oneLine, and each line after the first is indented like the
 * first, so a body cannot print lines that look like the tool's own.
 */
export function multiLine(text: string | null | undefined, indent = ""): string {
  if (!text) return "";
  return indent + text.replace(CONTROLS_BUT_LF_TAB, escapeControl).replace(/\n/g, `\n${indent}`);
}

const SGR_OR_CONTROL = new RegExp(`(\\u001b\\[[0-9;]*m)|[${C0_BUT_LF_TAB}${DEL_C1_BIDI}]`, "g");

/**
 * The last guard before the terminal, for whole lines the CLI prints: line feeds and tabs stay, colour
 * codes (SGR, `ESC[…m`) stay only when `colors` is on, and every other control is escaped. Data
 * is escaped field by field before it is formatted (oneLine, multiLine), because here colour
 * codes the CLI added and ones that came with the data look alike.
 */
export function terminalSafe(text: string, colors: boolean): string {
  return text.replace(SGR_OR_CONTROL, (m, sgr: string | undefined) =>
    sgr !== undefined && colors
      ? m
      : sgr !== undefined
        ? escapeControl(m[0]!) + m.slice(1)
        : escapeControl(m),
  );
}

/**
 * `--json` output. JSON.stringify already escapes C0 controls inside strings but writes DEL and
 * C1 controls raw; `\u0080`…`\u009f` escapes keep them off the terminal and parse back the same.
 */
export function jsonText(value: unknown): string {
  return JSON.stringify(value, null, 2).replace(
    /[\u007f-\u009f]/g,
    (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}

/** "1 delivery", "3 deliveries". */
export function deliveries(n: number): string {
  return `${n} ${n === 1 ? "delivery" : "deliveries"}`;
}
