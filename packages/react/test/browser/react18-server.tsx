/**
 * The server side of the React 18 test page: `App` rendered to a string by `react-dom/server`,
 * bundled for Node against the same React as the page.
 */
import { renderToString } from "react-dom/server";
import { App, type AppProps } from "./react18-page.js";

/** The page's markup for `props`, as a server sends it before the browser hydrates it. */
export function render(props: AppProps): string {
  return renderToString(<App {...props} />);
}
