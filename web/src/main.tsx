/**
 * @module web/main
 * Entry of the web client (built by `npm run build` into dist/web, served by `trove serve`).
 */
import { render } from 'preact';
import { App } from './app.tsx';
import './style.css';

render(<App />, document.getElementById('app')!);
