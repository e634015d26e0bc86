/**
 * An in-process bus for tests and single-process setups: every MemoryBus attached to the same
 * hub receives the others' messages, asynchronously (as over a network), in publish order.
 * `disconnect()`/`reconnect()` simulate a lost subscription: messages published meanwhile are
 * dropped for that instance, and its reconnect handlers run when it comes back.
 */
import { randomUUID } from "node:crypto";
import { CacheClosedError } from "../core/errors.js";
import { TypedEmitter } from "../core/events.js";
import {
  assertInvalidationEvent,
  type InvalidationBus,
  type InvalidationEvent,
  type InvalidationHandler,
  type InvalidationMessage,
} from "./bus.js";

/** Connects MemoryBus instances; one hub per simulated "Redis". */
export class MemoryBusHub {
  private readonly members = new Set<MemoryBus>();

  /** @internal */
  attach(bus: MemoryBus): void {
    this.members.add(bus);
  }

  /** @internal */
  detach(bus: MemoryBus): void {
    this.members.delete(bus);
  }

  /** @internal Delivers to every other attached, connected instance. */
  deliver(message: InvalidationMessage): void {
    for (const bus of this.members) if (bus.id !== message.senderId) bus.receive(message);
  }
}

/** The hub used when none is given. */
export const defaultMemoryBusHub = new MemoryBusHub();

export interface MemoryBusOptions {
  /** The hub to join. @default defaultMemoryBusHub */
  hub?: MemoryBusHub;
  /** This instance's id. @default a random UUID */
  id?: string;
}

type Events = { message: InvalidationMessage; disconnect: undefined; reconnect: undefined };

export class MemoryBus implements InvalidationBus {
  readonly id: string;
  private readonly hub: MemoryBusHub;
  private readonly events = new TypedEmitter<Events>();
  private isConnected = true;
  private closed = false;
  /** Messages dropped while disconnected, for tests. */
  dropped = 0;

  constructor(options: MemoryBusOptions = {}) {
    this.id = options.id ?? randomUUID();
    this.hub = options.hub ?? defaultMemoryBusHub;
    this.hub.attach(this);
  }

  get connected(): boolean {
    return this.isConnected && !this.closed;
  }

  async publish(event: InvalidationEvent): Promise<void> {
    if (this.closed) throw new CacheClosedError("memory bus");
    assertInvalidationEvent(event);
    const message: InvalidationMessage = { ...event, senderId: this.id };
    // Asynchronous like a real bus, so callers cannot come to rely on synchronous delivery.
    await Promise.resolve();
    this.hub.deliver(message);
  }

  subscribe(handler: InvalidationHandler): () => void {
    return this.events.on("message", handler);
  }

  onDisconnect(handler: () => void): () => void {
    return this.events.on("disconnect", handler);
  }

  onReconnect(handler: () => void): () => void {
    return this.events.on("reconnect", handler);
  }

  /** Simulates losing the subscription: later messages are dropped until {@link reconnect}. */
  disconnect(): void {
    if (!this.isConnected) return;
    this.isConnected = false;
    this.events.emit("disconnect", undefined);
  }

  /** Simulates getting the subscription back: the reconnect handlers run. */
  reconnect(): void {
    if (this.isConnected || this.closed) return;
    this.isConnected = true;
    this.events.emit("reconnect", undefined);
  }

  /** @internal */
  receive(message: InvalidationMessage): void {
    if (!this.connected) {
      this.dropped++;
      return;
    }
    this.events.emit("message", message);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.hub.detach(this);
  }
}
