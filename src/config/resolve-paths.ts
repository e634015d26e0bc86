/** Paths in a config: `~` expansion, and where the seed's pickle path puts our LMDB folder. */
import { homedir } from "node:os";
import { join, resolve } from "node:path";

/** `~` and `~/...` name the home folder; the result is absolute. */
export function expandHome(path: string): string {
  const expanded =
    path === "~" ? homedir() : path.startsWith("~/") ? join(homedir(), path.slice(2)) : path;
  return resolve(expanded);
}

/**
 * The LMDB folder for a `persistence_path`. The seed's `cache_l2.pkl` names a pickle file, which
 * we never read or write, so its store is the sibling folder `cache_l2.lmdb`: a seed
 * installation's old pickle file stays where it is and cannot collide with the folder. Other
 * names are used as they are.
 */
export function lmdbFolderFor(persistencePath: string): string {
  return expandHome(persistencePath).replace(/\.(pkl|pickle)$/i, ".lmdb");
}
