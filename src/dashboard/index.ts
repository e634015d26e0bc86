export { startDashboard } from "./server.js";
export type {
  DashboardOptions,
  DashboardPayload,
  DashboardServer,
  DashboardSource,
} from "./server.js";
