import { describeStoreConformance } from "../../src/stores/testing/index.js";
import { MemoryStore } from "../../src/stores/memory.js";
import { FakeClock } from "../helpers/fake-clock.js";

// L1 keeps references (DESIGN: no clone, no encoding), so it cannot see that a function or a
// cycle would not survive a persistent tier; the MultiLevelCache rejects those before any tier.
describeStoreConformance(
  "MemoryStore (fake clock)",
  async () => {
    const clock = new FakeClock();
    return { store: new MemoryStore({ clock, maxSize: 10_000 }), clock };
  },
  { rejectsUnencodable: false },
);

describeStoreConformance(
  "MemoryStore (real time, clone)",
  async () => ({ store: new MemoryStore({ maxSize: 10_000, clone: true, sweepInterval: "50ms" }) }),
  { rejectsUnencodable: false, realTimeTtl: 60 },
);
