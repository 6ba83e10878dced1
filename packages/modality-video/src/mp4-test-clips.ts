// Clips for the specs of the MP4 stream path, made at test time with the ffmpeg in use (libx264).
import { spawnSync } from 'node:child_process';
import { findFfmpeg } from './ffmpeg-binary.js';

/**
 * An H.264 MP4 of 10 frames of 16x16 whose frame durations vary (frames 6-9 twice as far apart):
 * ffmpeg's constant-rate raw output repeats frames to fill the gaps (17 frames).
 */
export async function makeVariableRateClip(file: string): Promise<void> {
  const args = ['-nostdin', '-v', 'error', '-f', 'lavfi', '-i', 'testsrc=size=16x16:rate=25:duration=0.4'];
  args.push('-vf', "setpts='if(lt(N,5),N,2*N)/(25*TB)'", '-vsync', 'vfr', '-c:v', 'libx264', '-preset', 'slow');
  args.push('-threads', '1', '-pix_fmt', 'yuv420p', '-f', 'mp4', '-y', file);
  const r = spawnSync(findFfmpeg().path, args, { encoding: 'utf8', timeout: 30_000 });
  if (r.status !== 0) throw new Error(`ffmpeg could not write ${file}: ${r.stderr ?? r.error?.message}`);
  return Promise.resolve();
}
