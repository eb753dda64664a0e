import { render } from "solid-js/web";
import { App } from "./App";
import { registerServiceWorker } from "./lib/push";
import { followVisualViewport } from "./viewport";
import "./styles/base.css";
import "./styles/screens.css";
import "./styles/room.css";

followVisualViewport();
registerServiceWorker();
render(() => <App />, document.getElementById("app")!);
