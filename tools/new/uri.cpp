// uri.cpp — a bridged channel's URI, checked before anything is written. With libsteady-bridge
// (STEADY_NEW_URIS) it is the library's own parser, so steady-new refuses exactly what the
// generated program's bridges would refuse at spawn, with the same detail; without it (steady-new
// built with the bridges off) only the scheme is checked here and the rest at spawn.
#include "model.hpp"

#ifdef STEADY_NEW_URIS
#include <steady/bridge_uri.h>
#include <steady/error.h>
#endif

namespace steady_new {

std::string bad_uri(const std::string &uri, bool egress)
{
#ifdef STEADY_NEW_URIS
    steady_uri u;
    if (uri.find('\0') != std::string::npos)
        return "holds a NUL byte";
    if (steady_uri_parse(uri.c_str(), &u) != STEADY_OK)
        return steady_last_error();
    if (egress && u.wildcard)
        return "has a wildcard: a wildcard subject or topic is for receiving only";
    return "";
#else
    (void)egress;
    for (const char *scheme : {"shm:/", "nats://", "nats+tls://", "nats+js://", "nats+js+tls://",
                               "mqtt://", "mqtts://"})
        if (uri.rfind(scheme, 0) == 0)
            return "";
    return "is none of shm:/NAME, nats://HOST/SUBJECT, nats+js://HOST/STREAM/SUBJECT, "
           "mqtt://HOST/TOPIC (and their +tls forms)";
#endif
}

} // namespace steady_new
