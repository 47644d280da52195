import { HOOKLINE_VERSION } from "@hookline/core";

/** The product version this transport reports: @hookline/core's, see HOOKLINE_VERSION. */
export const VERSION: string = HOOKLINE_VERSION;

/** The default `user-agent` header: `Hookline/` and the product version, as `hookline --version` prints it. */
export const DEFAULT_USER_AGENT = `Hookline/${HOOKLINE_VERSION}`;
