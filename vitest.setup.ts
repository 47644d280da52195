// tsyringe needs the Reflect polyfill before any decorated class loads.
import "reflect-metadata";
