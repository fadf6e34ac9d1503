/* mqtt_broker.c — see mqtt_broker.h. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "mqtt_broker.h"

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "test_ports.h"

static const char *const candidates[] = {"/usr/sbin/mosquitto", "/usr/bin/mosquitto"};

const char *mqtt_broker_path(void)
{
    for (size_t i = 0; i < sizeof candidates / sizeof candidates[0]; i++)
        if (access(candidates[i], X_OK) == 0)
            return candidates[i];
    return NULL;
}

static bool write_config(mqtt_broker *m)
{
    char path[192];
    snprintf(path, sizeof path, "%s/mosquitto.conf", m->dir);
    FILE *f = fopen(path, "w");
    if (!f)
        return false;
    bool has_auth = strstr(m->extra, "allow_anonymous") != NULL;
    fprintf(f,
            "per_listener_settings false\n"
            "persistence false\n"
            "max_queued_messages 0\n"
            "%s"
            "log_dest %s\n"
            "listener %d 127.0.0.1\n"
            "%s\n",
            has_auth ? "" : "allow_anonymous true\n", m->quiet ? "none" : "stderr", m->port,
            m->extra);
    return fclose(f) == 0;
}

bool mqtt_broker_start(mqtt_broker *m, int port)
{
    const char *path = mqtt_broker_path();
    if (!path || (port == 0 && (port = test_free_port()) <= 0))
        return false;
    if (!m->dir[0]) {
        snprintf(m->dir, sizeof m->dir, "/tmp/steady-mqtt-XXXXXX");
        if (!mkdtemp(m->dir))
            return false;
    }
    m->port = port;
    snprintf(m->url, sizeof m->url, "mqtt://127.0.0.1:%d", port);
    if (!write_config(m))
        return false;
    char conf[192];
    snprintf(conf, sizeof conf, "%s/mosquitto.conf", m->dir);
    m->pid = fork();
    if (m->pid < 0)
        return false;
    if (m->pid == 0) {
        if (m->quiet) {
            int null = open("/dev/null", O_WRONLY);
            dup2(null, 1);
            dup2(null, 2);
        }
        execl(path, "mosquitto", "-c", conf, (char *)NULL);
        _exit(127);
    }
    return test_await_server(&m->pid, port);
}

void mqtt_broker_stop(mqtt_broker *m, bool hard)
{
    if (m->pid <= 0)
        return;
    kill(m->pid, hard ? SIGKILL : SIGTERM);
    waitpid(m->pid, NULL, 0);
    m->pid = 0;
}

void mqtt_broker_remove(mqtt_broker *m)
{
    mqtt_broker_stop(m, false);
    if (!m->dir[0])
        return;
    char cmd[256];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", m->dir);
    if (system(cmd) != 0)
        fprintf(stderr, "mqtt_broker: could not remove %s\n", m->dir);
    m->dir[0] = '\0';
}
