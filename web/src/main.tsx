import { render } from "solid-js/web";
import { App } from "./App";
import "./styles/base.css";
import "./styles/screens.css";
import "./styles/room.css";

render(() => <App />, document.getElementById("app")!);
