export { SimulatedPanel, type SimulatedPanelOptions } from './simulated-panel.js';
export { startPtyPair, type PtyPair } from './pty-pair.js';
export { memoryLinePair } from './memory-line.js';
export { startSimulatedPanelOnPty } from './simulated-panel-on-pty.js';
