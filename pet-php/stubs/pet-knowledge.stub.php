<?php
/**
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
 */

namespace Pet;

final class Knowledge
{
    /** @param array $settings the same keys as Engine::__construct; shares its connection pool */
    public function __construct(array $settings) {}

    // ---- Articles -------------------------------------------------------------------

    /** @param array{category:string,slug:string,title:string,body:string,publish?:bool} $input @return array article */
    public function createArticle(array $input, array $context): array {}

    /** @param array{title:string,body:string} $input @return array article (next version) */
    public function publishArticle(string $articleId, array $input, array $context): array {}

    /**
     * @param array{number:int,article_id?:string} $input article_id names the version's article
     *        (a version of another article is refused: InvariantViolationException)
     * @return array article (a new version with the old content)
     */
    public function restoreArticleVersion(string $articleId, array $input, array $context): array {}

    /** @return array article */
    public function archiveArticle(string $articleId, array $context): array {}

    // ---- Comments and ticket links --------------------------------------------------

    /** @param array{body:string} $input @return array article */
    public function commentOnArticle(string $articleId, array $input, array $context): array {}

    /** @param array{reason?:string} $input @return array article */
    public function hideArticleComment(string $articleId, string $commentId, array $input, array $context): array {}

    /** @return array article */
    public function linkArticleToTicket(string $articleId, string $ticketId, array $context): array {}

    // ---- Reading and search ---------------------------------------------------------

    /** @return array article */
    public function getArticle(string $articleId): array {}

    /** @param array{category?:string,status?:string,search?:string,page?:int,per_page?:int} $query @return array{items:list<array>,total:int,page:int,per_page:int} */
    public function listArticles(array $query = []): array {}

    /** @return array{items:list<array{category:string,articles:int,published:int}>} */
    public function listArticleCategories(): array {}

    /**
     * Full-text search over the live version of published articles, best match first.
     * @param array{q:string,category?:string,page?:int,per_page?:int} $query
     * @return array{items:list<array{id:string,title:string,slug:string,category:string,version:int,score:float,snippet:string}>,total:int,page:int,per_page:int}
     */
    public function searchArticles(array $query): array {}
}
