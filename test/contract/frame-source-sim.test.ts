/** The FrameSource contract on the simulated frame grabber (hw-sim/frame-grabber). */
import { SimulatedFrameSource } from '../../hw-sim/frame-grabber/index.js';
import { frameSourceContract } from './frame-source.contract.js';

frameSourceContract('simulator', {
  finite: async ({ frames, format }) => new SimulatedFrameSource({ width: 160, height: 120, fps: 25, format, maxFrames: frames, realtime: false, seed: 5 }),
  live: async () => new SimulatedFrameSource({ width: 160, height: 120, fps: 50, realtime: true }),
});
