import { connect } from 'node:net';
import { SocketTransport } from './socket-transport.js';
import type { Connector } from './transport.js';

/** Plain TCP (DICOM port 104 / 11112). */
export const tcpConnector: Connector = (target, signal) =>
  new Promise((resolve, reject) => {
    const socket = connect({ host: target.host, port: target.port, ...(signal ? { signal } : {}) });
    const fail = (e: Error): void => {
      socket.destroy();
      reject(e);
    };
    socket.once('error', fail);
    socket.once('connect', () => {
      socket.off('error', fail);
      resolve(new SocketTransport(socket, 'tcp'));
    });
  });
