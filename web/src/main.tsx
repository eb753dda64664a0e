import { render } from "solid-js/web";
import { App } from "./App";
import { followVisualViewport } from "./viewport";
import "./styles/base.css";
import "./styles/screens.css";
import "./styles/room.css";

followVisualViewport();
render(() => <App />, document.getElementById("app")!);
