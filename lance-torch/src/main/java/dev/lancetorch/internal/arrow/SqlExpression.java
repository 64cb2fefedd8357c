package dev.lancetorch.internal.arrow;

import java.util.Locale;
import java.util.Set;

/**
 * Checks that a SQL text handed to Lance (a filter, a split expression) is exactly one expression.
 *
 * <p>Lance parses a filter as {@code SELECT 1 FROM t WHERE <filter>} and keeps the first statement,
 * so anything after a {@code ;}, a closing parenthesis without its opening one, or a clause keyword
 * ({@code ORDER BY}, {@code LIMIT}, {@code UNION}...) after a complete expression is silently
 * dropped: {@code "id < 5; DELETE FROM t"} would count 5 rows. This check rejects such text before
 * Lance sees it.
 *
 * <p>Rules (outside string literals {@code '...'}, {@code E'...'} and quoted identifiers {@code
 * `...`}, {@code "..."}; a doubled quote is a quote inside): no {@code ;}; no comment ({@code --},
 * {@code /*}); parentheses balanced; no clause keyword ({@link #CLAUSE_KEYWORDS}) right after an
 * operand at the top level. Whether a backslash escapes a quote differs between SQL dialects, so
 * the text is scanned both ways and must pass both. Errors name the text and what was found; the
 * expression itself is still parsed (and may be rejected) by Lance.
 */
public final class SqlExpression {
  /**
   * Keywords that start a clause after {@code WHERE <expr>} (or a new query) and would end the
   * expression.
   */
  public static final Set<String> CLAUSE_KEYWORDS =
      Set.of(
          "ORDER",
          "LIMIT",
          "OFFSET",
          "FETCH",
          "GROUP",
          "HAVING",
          "UNION",
          "INTERSECT",
          "EXCEPT",
          "MINUS",
          "WINDOW",
          "QUALIFY",
          "CLUSTER",
          "DISTRIBUTE",
          "SORT",
          "CONNECT",
          "FOR",
          "FORMAT",
          "SETTINGS",
          "INTO",
          "FROM",
          "WHERE",
          "SELECT",
          "RETURNING");

  private SqlExpression() {}

  /**
   * @param sql the SQL text (not null)
   * @param what what the text is for, for the message (e.g. {@code "filter"})
   * @return {@code sql}
   * @throws IllegalArgumentException naming {@code what}, the text and the offending token, if it
   *     is not exactly one expression by the rules above
   * @throws NullPointerException if {@code sql} is null
   */
  public static String requireSingle(String sql, String what) {
    String problem = problem(sql, false);
    if (problem == null) {
      problem = problem(sql, true);
    }
    if (problem != null) {
      throw new IllegalArgumentException(
          what + " '" + sql + "' is not one SQL expression: " + problem);
    }
    return sql;
  }

  /** The first violation of the rules when scanning with or without backslash escapes, or null. */
  private static String problem(String sql, boolean backslashEscapes) {
    int depth = 0;
    boolean afterOperand = false;
    int i = 0;
    int n = sql.length();
    while (i < n) {
      char c = sql.charAt(i);
      if (Character.isWhitespace(c)) {
        i++;
      } else if (c == '\'' || c == '"' || c == '`') {
        boolean escapes = backslashEscapes || (c == '\'' && i > 0 && isEscapePrefix(sql, i));
        i = skipQuoted(sql, i, escapes);
        afterOperand = true;
      } else if (c == ';') {
        return "';' at offset " + i + " (one expression only; nothing may follow it)";
      } else if (sql.startsWith("--", i) || sql.startsWith("/*", i)) {
        return "a comment at offset " + i + " (comments are not accepted)";
      } else if (c == '(') {
        depth++;
        afterOperand = false;
        i++;
      } else if (c == ')') {
        if (--depth < 0) {
          return "')' at offset " + i + " closes a parenthesis that was never opened";
        }
        afterOperand = true;
        i++;
      } else if (Character.isLetterOrDigit(c) || c == '_' || c == '$' || c == '.') {
        int start = i;
        while (i < n
            && (Character.isLetterOrDigit(sql.charAt(i)) || "_$.".indexOf(sql.charAt(i)) >= 0)) {
          i++;
        }
        String word = sql.substring(start, i).toUpperCase(Locale.ROOT);
        if (depth == 0 && afterOperand && CLAUSE_KEYWORDS.contains(word)) {
          return "'"
              + sql.substring(start, i)
              + "' at offset "
              + start
              + " would start another clause";
        }
        afterOperand = !Character.isLetter(c) || !OPERATOR_WORDS.contains(word);
      } else {
        afterOperand = false; // an operator or punctuation
        i++;
      }
    }
    if (depth > 0) {
      return depth + " unclosed '('";
    }
    return null;
  }

  /**
   * Words after which an operand follows (so a clause keyword after them is an identifier, not a
   * clause).
   */
  private static final Set<String> OPERATOR_WORDS =
      Set.of(
          "AND",
          "OR",
          "NOT",
          "IS",
          "IN",
          "LIKE",
          "ILIKE",
          "BETWEEN",
          "CASE",
          "WHEN",
          "THEN",
          "ELSE",
          "SIMILAR",
          "TO",
          "REGEXP",
          "RLIKE",
          "DISTINCT",
          "ESCAPE",
          "ANY",
          "ALL",
          "SOME",
          "EXISTS",
          "AS",
          "INTERVAL");

  /**
   * Whether the quote at {@code quote} opens an escape string ({@code E'...'}, as in PostgreSQL).
   */
  private static boolean isEscapePrefix(String sql, int quote) {
    char p = sql.charAt(quote - 1);
    return (p == 'E' || p == 'e')
        && (quote < 2 || !Character.isLetterOrDigit(sql.charAt(quote - 2)));
  }

  /**
   * Index after the quoted text starting at {@code start} (the end of the text if it is
   * unterminated).
   */
  private static int skipQuoted(String sql, int start, boolean backslashEscapes) {
    char q = sql.charAt(start);
    int i = start + 1;
    while (i < sql.length()) {
      char c = sql.charAt(i);
      if (backslashEscapes && c == '\\') {
        i += 2;
      } else if (c == q) {
        if (i + 1 < sql.length() && sql.charAt(i + 1) == q) {
          i += 2; // doubled quote
        } else {
          return i + 1;
        }
      } else {
        i++;
      }
    }
    return i;
  }
}
