# codev's production image (docs/deploy.md): the codev wheel, with its packaged configuration defaults
# and migrations, and its pinned dependencies; run as an unprivileged user; no compiler, no tests, no
# development tools, and no Discourse sandbox unless built with --build-arg WITH_SANDBOX=1.
# Secrets never enter the image: they come from the environment at run time (.env, docker-compose.yml).

# The base image, pinned to an exact release (add @sha256:<digest> from `docker buildx imagetools
# inspect` to pin it byte for byte). Both stages use the same one.
ARG PYTHON_IMAGE=python:3.11.14-slim-bookworm

FROM ${PYTHON_IMAGE} AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1
WORKDIR /src
# sync_service/defaults and sync_service/migrations are links to config/ and migrations/
COPY pyproject.toml README.md LICENSE ./
COPY config ./config
COPY migrations ./migrations
COPY sync_service ./sync_service
COPY discourse_sandbox ./discourse_sandbox
# the plugin's contract and metadata, which the sandbox plays (discourse_sandbox/plugin links there)
COPY discourse_plugin/plugin.rb ./discourse_plugin/plugin.rb
COPY discourse_plugin/contract ./discourse_plugin/contract
# codev's wheel and a wheel of every pinned dependency (from PyPI only)
RUN python -m pip wheel --wheel-dir /wheels .

FROM ${PYTHON_IMAGE}
ARG WITH_SANDBOX=0
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1
RUN groupadd --system --gid 10001 codev \
 && useradd --system --uid 10001 --gid codev --create-home --home-dir /home/codev --shell /usr/sbin/nologin codev
RUN --mount=type=bind,from=build,source=/wheels,target=/wheels \
    python -m pip install --no-index --find-links /wheels codev \
 && if [ "$WITH_SANDBOX" != "1" ]; then \
      site="$(python -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')" \
      && rm -rf "$site/discourse_sandbox" "$site/sync_service/defaults/examples"; \
    fi
# the operator's configuration folder (docker-compose.yml mounts ./codev-config there, read-only)
RUN mkdir -p /etc/codev
USER codev:codev
WORKDIR /home/codev
EXPOSE 8000
CMD ["codev", "serve", "--host", "0.0.0.0", "--port", "8000"]
