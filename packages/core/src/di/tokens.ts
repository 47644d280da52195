// reflect-metadata must load before tsyringe; this is the single place core imports it.
import "reflect-metadata";

export { container, type DependencyContainer, inject, injectable } from "tsyringe";

/** Injection tokens owned by core. Register your own implementation against any of them. */
export const TOKENS = {
  Store: Symbol.for("hookline.Store"),
  Transport: Symbol.for("hookline.Transport"),
  Clock: Symbol.for("hookline.Clock"),
  Logger: Symbol.for("hookline.Logger"),
  Config: Symbol.for("hookline.Config"),
  EventRegistry: Symbol.for("hookline.EventRegistry"),
} as const;
