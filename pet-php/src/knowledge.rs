//! `Pet\Knowledge`: the knowledge base — articles, their versions, comments and links to
//! tickets, and full-text search (issue: helpdesk and knowledgebase). Declared once in the
//! table below, from which [`php_class!`](crate::api) generates the wrappers and the stub
//! `pet-knowledge.stub.php`.
// PHP parameter names (`$articleId`) are part of the stub contract and ext-php-rs takes
// them from the Rust identifiers (also in the code it generates outside the impl block), so
// the table spells parameters in camelCase.
#![allow(non_snake_case)]

/// What this class's methods call (see `crate::api`).
type Service<'a> = pet_storage_mysql::Knowledge<'a>;

crate::api::php_class! {
    /// The knowledge base API, built from the same connection settings as `Pet\Engine` (and
    /// sharing its connection pool).
    class Knowledge = "Pet\\Knowledge";
    stub "pet-knowledge.stub.php" = r"/**
 * IDE stubs for `Pet\Knowledge` (the knowledge base: articles, versions, comments, links to tickets, search).
 * Same conventions as pet.stub.php (ids, dates, money, $context, lists, exceptions).
 *
 * Shapes:
 * - article: ['id','category','slug','status' (draft|published|archived),'title','current_version','version',
 *   'created_at','updated_at'] plus, from getArticle and commands, 'body','draft' => ['title','body'],
 *   'versions' => list<['number','title','body','restored_from','live','published_at']> (newest first),
 *   'comments' => list<['id','author_id','author_name','body','hidden','hidden_by','hidden_reason','created_at']>,
 *   'linked_tickets' => list<['ticket_id','subject','linked_at']>.
 *
 * @phpcs:ignoreFile
 */";

    /// @param array $settings the same keys as Engine::__construct; shares its connection pool
    fn __construct(settings: array);

    section "Articles";

    /// @param array{category:string,slug:string,title:string,body:string,publish?:bool} $input @return array article
    fn create_article(input: array, context: context) -> array;

    /// @param array{title:string,body:string} $input @return array article (next version)
    fn publish_article(articleId: string("article_id"), input: array, context: context) -> array;

    /// @param array{number:int,article_id?:string} $input article_id names the version's article
    ///        (a version of another article is refused: InvariantViolationException)
    /// @return array article (a new version with the old content)
    fn restore_article_version(
        articleId: string("article_id"),
        input: array,
        context: context
    ) -> array;

    /// @return array article
    fn archive_article(articleId: string("article_id"), context: context) -> array;

    section "Comments and ticket links";

    /// @param array{body:string} $input @return array article
    fn comment_on_article(articleId: string("article_id"), input: array, context: context) -> array;

    /// @param array{reason?:string} $input @return array article
    fn hide_article_comment(
        articleId: string("article_id"),
        commentId: string("comment_id"),
        input: array,
        context: context
    ) -> array;

    /// @return array article
    fn link_article_to_ticket(
        articleId: string("article_id"),
        ticketId: string("ticket_id"),
        context: context
    ) -> array;

    section "Reading and search";

    /// @return array article
    fn get_article(articleId: string("article_id")) -> array;

    /// @param array{category?:string,status?:string,search?:string,page?:int,per_page?:int} $query @return array{items:list<array>,total:int,page:int,per_page:int}
    fn list_articles(query: array = []) -> array;

    /// @return array{items:list<array{category:string,articles:int,published:int}>}
    fn list_article_categories() -> array;

    /// Full-text search over the live version of published articles, best match first.
    /// @param array{q:string,category?:string,page?:int,per_page?:int} $query
    /// @return array{items:list<array{id:string,title:string,slug:string,category:string,version:int,score:float,snippet:string}>,total:int,page:int,per_page:int}
    fn search_articles(query: array) -> array;
}
