import { mount } from "svelte";
import { markLaunch } from "./lib/paint";
import App from "./App.svelte";
import "./app.css";

markLaunch("script");

const target = document.getElementById("app");
if (!target) throw new Error("#app element missing from index.html");

const app = mount(App, { target });

export default app;
