/**
 * A raw node-redis client that reads and writes bytes, bypassing RedisStore: hardening tests use
 * it to plant damaged, unsigned or copied records under a store's own keys.
 */
import { createClient, RESP_TYPES } from "redis";

export interface RawRedis {
  get(key: string): Promise<Buffer | null>;
  set(key: string, value: Buffer | string): Promise<void>;
  /** Any command; replies with Buffers for bulk strings. */
  send(args: (string | Buffer)[]): Promise<unknown>;
  close(): void;
}

export async function openRawRedis(url: string): Promise<RawRedis> {
  const client = createClient({ url });
  await client.connect();
  // Per command: withTypeMapping does not reach sendCommand in node-redis 5.
  const options = { typeMapping: { [RESP_TYPES.BLOB_STRING]: Buffer } };
  const send = (args: (string | Buffer)[]): Promise<unknown> => client.sendCommand(args, options);
  return {
    get: async (key) => (await send(["GET", key])) as Buffer | null,
    set: async (key, value) => {
      await send(["SET", key, value]);
    },
    send,
    close: () => client.destroy(),
  };
}
