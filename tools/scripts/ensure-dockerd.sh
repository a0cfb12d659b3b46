#!/usr/bin/env bash
# ensure-dockerd.sh: make sure a Docker engine answers on the local socket and that the test
# image exists, so the node-agent's docker executor tests can run. Idempotent: every step is
# skipped when its result is already there, and each step prints what it did.
#
#   1. GET /_ping on $SHOAL_DOCKER_SOCKET (default /var/run/docker.sock); if it answers, skip 2-3.
#   2. Install Debian's docker.io with apt-get when `dockerd` is missing (needs root).
#   3. Start `dockerd --host unix://<socket>` in the background (log: $SHOAL_DOCKERD_LOG) and
#      wait up to $SHOAL_DOCKERD_WAIT_S seconds for /_ping.
#   4. When the image shoal-test/busybox:1 is missing, build it: a rootfs with Debian's static
#      busybox (installed with apt-get when missing) and symlinks for a few applets, imported
#      through the Engine API (there is no registry to pull from).
#
# Exit status: 0 when the engine answers and the image exists; non-zero otherwise.
set -euo pipefail

SOCKET=${SHOAL_DOCKER_SOCKET:-/var/run/docker.sock}
LOG=${SHOAL_DOCKERD_LOG:-/tmp/shoal-dockerd.log}
WAIT_S=${SHOAL_DOCKERD_WAIT_S:-60}
IMAGE_REPO=shoal-test/busybox
IMAGE_TAG=1
APPLETS="sh sleep true false echo cat ls kill ps env id wget"

say() { echo "ensure-dockerd: $*"; }
ping_ok() { curl -fsS --max-time 2 --unix-socket "$SOCKET" http://docker/_ping >/dev/null 2>&1; }

apt_install() { # apt_install PKG...: install Debian packages, updating the index once first.
  say "apt-get install -y $*"
  if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null 2>&1; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
  fi
}

command -v curl >/dev/null 2>&1 || apt_install curl

if ping_ok; then
  say "dockerd already answers on ${SOCKET}"
else
  if ! command -v dockerd >/dev/null 2>&1; then
    apt_install docker.io
  else
    say "dockerd is installed ($(command -v dockerd))"
  fi
  say "starting dockerd --host unix://${SOCKET} (log ${LOG})"
  DOCKER_SERVICE_PREFER_OFFLINE_IMAGE=1 nohup dockerd --host "unix://${SOCKET}" >"${LOG}" 2>&1 &
  for ((i = 0; i < WAIT_S * 4; i++)); do
    ping_ok && break
    sleep 0.25
  done
  if ! ping_ok; then
    say "dockerd did not answer /_ping within ${WAIT_S}s; last log lines:"
    tail -n 30 "${LOG}" >&2 || true
    exit 1
  fi
  say "dockerd answers on ${SOCKET}"
fi

if curl -fsS --unix-socket "$SOCKET" "http://docker/images/${IMAGE_REPO}:${IMAGE_TAG}/json" >/dev/null 2>&1; then
  say "image ${IMAGE_REPO}:${IMAGE_TAG} present"
else
  BUSYBOX=$(command -v busybox || true)
  if [ -z "${BUSYBOX}" ] || ! file -L "${BUSYBOX}" 2>/dev/null | grep -q 'statically linked'; then
    [ -x /bin/busybox ] || apt_install busybox-static
    BUSYBOX=/bin/busybox
  fi
  say "building ${IMAGE_REPO}:${IMAGE_TAG} from ${BUSYBOX}"
  ROOT=$(mktemp -d)
  trap 'rm -rf "${ROOT}"' EXIT
  mkdir -p "${ROOT}/bin" "${ROOT}/tmp" "${ROOT}/etc" "${ROOT}/proc" "${ROOT}/sys" "${ROOT}/dev"
  cp "${BUSYBOX}" "${ROOT}/bin/busybox"
  for applet in ${APPLETS}; do ln -s busybox "${ROOT}/bin/${applet}"; done
  tar -C "${ROOT}" -cf "${ROOT}.tar" .
  curl -fsS --unix-socket "$SOCKET" -X POST -H 'Content-Type: application/x-tar' \
    --data-binary "@${ROOT}.tar" \
    "http://docker/images/create?fromSrc=-&repo=${IMAGE_REPO}&tag=${IMAGE_TAG}" >/dev/null
  rm -f "${ROOT}.tar"
  curl -fsS --unix-socket "$SOCKET" "http://docker/images/${IMAGE_REPO}:${IMAGE_TAG}/json" >/dev/null
  say "imported ${IMAGE_REPO}:${IMAGE_TAG}"
fi
