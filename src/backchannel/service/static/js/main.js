// Backchannel pages: each page sets up what it has; live pages refresh on server-sent events.
import { negotiation } from "./api.js";
import { setupMediator } from "./desk.js";
import { setupHome } from "./home.js";
import { applyStatus, listen } from "./live.js";
import { lockPreferences, setupRoom } from "./room.js";

setupHome();
if (negotiation) {
  setupMediator();
  setupRoom();
  const update = () => { applyStatus(); lockPreferences(); };
  document.addEventListener("backchannel:status", update);
  update();
  listen();
}
