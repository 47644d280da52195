import type { DeliveryStatus } from "@hookline/core";
import type { Colors } from "../context.js";
import { oneLine } from "./text.js";

/** Status coloured by meaning: green delivered, red failed, yellow in progress, grey cancelled. */
export function statusText(c: Colors, status: DeliveryStatus | string): string {
  switch (status) {
    case "succeeded":
      return c.green(status);
    case "failed":
      return c.red(status);
    case "pending":
    case "sending":
      return c.yellow(status);
    default:
      return c.gray(oneLine(status));
  }
}
