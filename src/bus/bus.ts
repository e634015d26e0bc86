/**
 * The invalidation bus: how a MultiLevelCache tells the other processes sharing its L2 to drop
 * what they hold in L1. A bus carries invalidations, never values.
 */
import { CacheConfigError } from "../core/errors.js";

export const InvalidationType = {
  /** A key was set (its old value is stale elsewhere). */
  SET: "set",
  DELETE: "delete",
  /** A namespace, or everything when `namespace` is absent, was cleared. */
  CLEAR: "clear",
  /** Every entry carrying `tag` was invalidated. */
  TAG: "tag",
} as const;
export type InvalidationType = (typeof InvalidationType)[keyof typeof InvalidationType];

/** What a cache publishes. `set`/`delete` name a namespace and key, `tag` a tag. */
export interface InvalidationEvent {
  type: InvalidationType;
  namespace?: string;
  key?: string;
  tag?: string;
}

/** What subscribers receive: the event plus the id of the bus that published it. */
export interface InvalidationMessage extends InvalidationEvent {
  senderId: string;
}

export type InvalidationHandler = (message: InvalidationMessage) => void;

export interface InvalidationBus {
  /** This instance's id, stamped on everything it publishes; its own messages never reach its handlers. */
  readonly id: string;
  /** True while invalidations from other processes are being received. */
  readonly connected: boolean;
  /** Sends an event to every other instance on the bus. Rejects when it cannot be sent. */
  publish(event: InvalidationEvent): Promise<void>;
  /** Receives other instances' messages; returns a function that unsubscribes. */
  subscribe(handler: InvalidationHandler): () => void;
  /**
   * Called when the bus stops receiving (connection lost, heartbeat missed): from now on messages
   * may be missed. Returns a function that removes the handler.
   */
  onDisconnect(handler: () => void): () => void;
  /**
   * Called when the bus receives again after a disconnect. Messages sent in between are lost, so
   * the handler must drop everything it cannot trust (a cache clears its L1). Returns a function
   * that removes the handler.
   */
  onReconnect(handler: () => void): () => void;
  /** Stops receiving and releases connections. Idempotent. */
  close(): Promise<void>;
}

const TYPES = new Set<string>(Object.values(InvalidationType));

/** Throws a CacheConfigError naming the bad field when `event` is not a valid event. */
export function assertInvalidationEvent(event: InvalidationEvent): void {
  if (event === null || typeof event !== "object")
    throw new CacheConfigError("bus.publish", "event must be an object");
  if (!TYPES.has(event.type)) {
    throw new CacheConfigError(
      "bus.publish.type",
      `expected one of ${[...TYPES].join(", ")}, got ${String(event.type)}`,
    );
  }
  for (const field of ["namespace", "key", "tag"] as const) {
    if (event[field] !== undefined && typeof event[field] !== "string") {
      throw new CacheConfigError(`bus.publish.${field}`, "must be a string");
    }
  }
  const needs: Record<InvalidationType, readonly ("namespace" | "key" | "tag")[]> = {
    set: ["namespace", "key"],
    delete: ["namespace", "key"],
    clear: [],
    tag: ["tag"],
  };
  for (const field of needs[event.type]) {
    if (event[field] === undefined)
      throw new CacheConfigError(`bus.publish.${field}`, `required for type "${event.type}"`);
  }
}

/** Parses a message received from the wire; undefined when it is not one of ours. */
export function parseInvalidationMessage(raw: string): InvalidationMessage | undefined {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return undefined;
  }
  if (value === null || typeof value !== "object") return undefined;
  const message = value as InvalidationMessage;
  if (typeof message.senderId !== "string") return undefined;
  try {
    assertInvalidationEvent(message);
  } catch {
    return undefined;
  }
  return message;
}

/** Serialises an event for the wire, stamped with the sender's id. */
export function encodeInvalidationMessage(senderId: string, event: InvalidationEvent): string {
  const message: InvalidationMessage = { senderId, type: event.type };
  if (event.namespace !== undefined) message.namespace = event.namespace;
  if (event.key !== undefined) message.key = event.key;
  if (event.tag !== undefined) message.tag = event.tag;
  return JSON.stringify(message);
}
