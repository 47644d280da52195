import { connect } from "node:net";

/** A TCP service the example needs: a broker, by name, host and port. */
export interface Service {
  readonly name: string;
  readonly host: string;
  readonly port: number;
}

/** The brokers the example's config points at by default (the machine's RabbitMQ and NATS). */
export const DEFAULT_BROKERS: readonly Service[] = [
  { name: "RabbitMQ", host: "127.0.0.1", port: 5672 },
  { name: "NATS", host: "127.0.0.1", port: 4222 },
];

/** Why each unreachable service could not be reached (empty when every one accepts a TCP connection). */
export async function unreachable(services: readonly Service[] = DEFAULT_BROKERS): Promise<string[]> {
  const reasons = await Promise.all(
    services.map(
      (s) =>
        new Promise<string | undefined>((resolve) => {
          const socket = connect(s.port, s.host);
          socket.setTimeout(3_000, () => socket.destroy(new Error("no answer within 3 s")));
          socket.once("connect", () => {
            socket.destroy();
            resolve(undefined);
          });
          socket.once("error", (err) => resolve(`${s.name} at ${s.host}:${s.port}: ${err.message}`));
        }),
    ),
  );
  return reasons.filter((r) => r !== undefined);
}
