package dev.semisup.operator.testing;

import java.util.Optional;

/**
 * One request as RBAC sees it: a verb on group/resource[/subresource], e.g.
 * {@code patch semisup.dev/semisupervisedruns/status} or {@code get /secrets} (core group).
 */
public record ApiCall(String verb, String group, String resource) {

  @Override
  public String toString() {
    return verb + " " + group + "/" + resource;
  }

  public static Optional<ApiCall> of(String method, String pathAndQuery) {
    String path = pathAndQuery;
    String query = "";
    int q = path.indexOf('?');
    if (q >= 0) {
      query = path.substring(q + 1);
      path = path.substring(0, q);
    }
    String[] parts = path.replaceAll("^/+|/+$", "").split("/");
    int at;
    String group;
    if (parts.length >= 2 && parts[0].equals("api")) {
      group = "";
      at = 2;
    } else if (parts.length >= 3 && parts[0].equals("apis")) {
      group = parts[1];
      at = 3;
    } else {
      return Optional.empty();
    }
    if (parts.length > at + 1 && parts[at].equals("namespaces")) {
      at += 2;
    } else if (parts.length == at + 2 && parts[at].equals("namespaces")) {
      return Optional.of(new ApiCall(verb(method, true, query), group, "namespaces"));
    }
    if (parts.length <= at) {
      return Optional.empty();
    }
    String resource = parts[at];
    boolean named = parts.length > at + 1;
    if (parts.length > at + 2) {
      resource += "/" + parts[at + 2];
    }
    return Optional.of(new ApiCall(verb(method, named, query), group, resource));
  }

  private static String verb(String method, boolean named, String query) {
    return switch (method) {
      case "GET" -> query.contains("watch=true") ? "watch" : named ? "get" : "list";
      case "POST" -> "create";
      case "PUT" -> "update";
      case "PATCH" -> "patch";
      case "DELETE" -> named ? "delete" : "deletecollection";
      default -> method.toLowerCase(java.util.Locale.ROOT);
    };
  }
}
