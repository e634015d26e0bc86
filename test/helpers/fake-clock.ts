// One fake clock for the library's own tests and for users of `victor-cache/testing`.
export { FakeClock } from "../../src/stores/testing/fake-clock.js";
